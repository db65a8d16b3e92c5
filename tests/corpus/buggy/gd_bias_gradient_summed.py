# function: gradient_descent
# bug: averages the W gradient but sums the bias gradient
# cause: gd_bias_gradient_summed
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        p = np.random.permutation(n)
        X_sh, y_sh = X[p], y[p]
        for i in range(0, n, batch_size):
            Xb, yb = X_sh[i:i + batch_size], y_sh[i:i + batch_size]
            error = activation_fn(Xb @ W + b) - yb
            W = W - lr * (Xb.T @ error) / len(Xb)
            b = b - lr * np.sum(error)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
