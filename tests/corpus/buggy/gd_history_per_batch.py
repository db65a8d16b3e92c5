# function: gradient_descent
# bug: appends a loss after every batch instead of every epoch
# cause: gd_history_per_batch
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        perm = np.random.permutation(n)
        for s in range(0, n, batch_size):
            idx = perm[s:s + batch_size]
            err = activation_fn(X[idx] @ W + b) - y[idx]
            W = W - lr * X[idx].T @ err / len(idx)
            b = b - lr * np.mean(err)
            history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
