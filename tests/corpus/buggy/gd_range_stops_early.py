# function: gradient_descent
# bug: range(0, n - batch_size + 1, batch_size) leaves out the last partial batch
# cause: gd_drops_last_batch
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    losses = []
    for _ in range(num_epochs):
        shuffled = np.random.permutation(n)
        Xs, ys = X[shuffled], y[shuffled]
        for start in range(0, max(n - batch_size + 1, 1), batch_size):
            xb = Xs[start:start + batch_size]
            yb = ys[start:start + batch_size]
            diff = activation_fn(xb @ W + b) - yb
            W = W - lr * xb.T @ diff / xb.shape[0]
            b = b - lr * np.mean(diff)
        losses.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, losses
