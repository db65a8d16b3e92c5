# function: gradient_descent
# bug: records the loss at the start of each epoch, before the updates
# cause: gd_loss_before_epoch
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n_samples = X.shape[0]
    loss_history = []
    for epoch in range(num_epochs):
        loss_history.append(loss_fn(activation_fn(X @ W + b), y))
        order = np.random.permutation(n_samples)
        X_s, y_s = X[order], y[order]
        for i in range(0, n_samples, batch_size):
            Xb, yb = X_s[i:i + batch_size], y_s[i:i + batch_size]
            err = activation_fn(Xb @ W + b) - yb
            W = W - lr * (Xb.T @ err) / Xb.shape[0]
            b = b - lr * np.mean(err)
    return W, b, loss_history
