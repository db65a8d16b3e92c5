# function: gradient_descent
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    """Gradients summed sample by sample in Python loops, then averaged."""
    n, d = X.shape
    W = np.array(W, dtype=float)
    b = np.array(b, dtype=float)
    history = []
    for epoch in range(num_epochs):
        order = list(np.random.permutation(n))
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        for batch in batches:
            gW = np.zeros_like(W)
            gb = 0.0
            for i in batch:
                e = activation_fn(X[i:i + 1] @ W + b)[0, 0] - y[i, 0]
                for j in range(d):
                    gW[j, 0] += X[i, j] * e
                gb += e
            W = W - lr * gW / len(batch)
            b = b - lr * gb / len(batch)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
