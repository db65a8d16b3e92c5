# function: gradient_descent
# bug: slices batch_size + 1 samples, so neighbouring batches share a sample
# cause: none
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        perm = np.random.permutation(n)
        Xp, yp = X[perm], y[perm]
        for i in range(0, n, batch_size):
            end = i + batch_size + 1
            xb, yb = Xp[i:end], yp[i:end]
            err = activation_fn(xb @ W + b) - yb
            W = W - lr * xb.T @ err / xb.shape[0]
            b = b - lr * np.mean(err)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
