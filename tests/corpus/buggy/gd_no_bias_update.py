# function: gradient_descent
# bug: never updates b
# cause: gd_no_bias_update
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        perm = np.random.permutation(n)
        for s in range(0, n, batch_size):
            idx = perm[s:s + batch_size]
            err = activation_fn(X[idx] @ W + b) - y[idx]
            W = W - lr * X[idx].T @ err / len(idx)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
