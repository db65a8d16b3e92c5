# function: gradient_descent
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    """Mini-batch GD with the exact gradient of the MSE, 2/m X^T (y_hat - y)."""
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        order = np.random.permutation(n)
        X_s, y_s = X[order], y[order]
        for i in range(0, n, batch_size):
            xb, yb = X_s[i:i + batch_size], y_s[i:i + batch_size]
            m = xb.shape[0]
            diff = activation_fn(xb @ W + b) - yb
            W = W - lr * (2 / m) * xb.T @ diff
            b = b - lr * (2 / m) * np.sum(diff)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
