# function: gradient_descent
# bug: divides by batch_size even for the last, smaller batch
# cause: gd_nominal_batch_size
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        idx = np.random.permutation(n)
        for s in range(0, n, batch_size):
            xb, yb = X[idx[s:s + batch_size]], y[idx[s:s + batch_size]]
            error = activation_fn(xb @ W + b) - yb
            grad_W = xb.T @ error / batch_size
            grad_b = np.sum(error) / batch_size
            W = W - lr * grad_W
            b = b - lr * grad_b
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
