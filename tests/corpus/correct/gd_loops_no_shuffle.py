# function: gradient_descent
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda z: z):
    n = X.shape[0]
    losses = []
    for epoch in range(num_epochs):
        # no shuffling: batches in the original order
        start = 0
        while start < n:
            stop = min(start + batch_size, n)
            xb = X[start:stop]
            yb = y[start:stop]
            err = activation_fn(xb @ W + b) - yb
            W = W - lr * (xb.T @ err) / len(xb)
            b = b - lr * err.mean()
            start = stop
        losses.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, losses
