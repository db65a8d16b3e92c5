# function: gradient_descent
# bug: loops over n // batch_size batches, so the last smaller batch is never used
# cause: gd_drops_last_batch
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = len(X)
    n_batches = n // batch_size
    if n_batches == 0:
        n_batches = 1
    history = []
    for epoch in range(num_epochs):
        perm = np.random.permutation(n)
        for k in range(n_batches):
            rows = perm[k * batch_size:(k + 1) * batch_size]
            y_hat = activation_fn(X[rows] @ W + b)
            e = y_hat - y[rows]
            W = W - lr * X[rows].T @ e / len(rows)
            b = b - lr * e.mean()
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
