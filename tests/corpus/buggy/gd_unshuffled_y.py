# function: gradient_descent
# bug: shuffles X but not y, so inputs and targets no longer match
# cause: none
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        X_shuffled = X[np.random.permutation(n)]
        for s in range(0, n, batch_size):
            xb, yb = X_shuffled[s:s + batch_size], y[s:s + batch_size]
            err = activation_fn(xb @ W + b) - yb
            W = W - lr * xb.T @ err / len(xb)
            b = b - lr * np.mean(err)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
