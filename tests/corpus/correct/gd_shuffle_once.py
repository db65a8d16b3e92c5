# function: gradient_descent
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    """Shuffles once, before training: every epoch walks the same order."""
    order = np.random.permutation(X.shape[0])
    Xs, ys = X[order], y[order]
    history = []
    for _ in range(num_epochs):
        for start in range(0, len(Xs), batch_size):
            xb, yb = Xs[start:start + batch_size], ys[start:start + batch_size]
            err = activation_fn(xb @ W + b) - yb
            W = W - lr * xb.T @ err / len(xb)
            b = b - lr * err.mean()
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
