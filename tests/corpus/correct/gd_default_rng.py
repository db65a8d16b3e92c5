# function: gradient_descent
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=None):
    if activation_fn is None:
        activation_fn = lambda z: z  # noqa: E731
    rng = np.random.default_rng(0)
    W, b = W.astype(float), b.astype(float)
    history = []
    for _ in range(num_epochs):
        idx = rng.permutation(len(X))
        for batch in np.array_split(idx, int(np.ceil(len(X) / batch_size))):
            error = activation_fn(X[batch] @ W + b) - y[batch]
            W -= lr * X[batch].T @ error / len(batch)
            b -= lr * np.mean(error)
        history.append(float(loss_fn(activation_fn(X @ W + b), y)))
    return W, b, history
