# function: gradient_descent
# bug: draws each epoch's samples with replacement, so some are used twice and some never
# cause: none
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        idx = np.random.randint(0, n, size=n)
        for start in range(0, n, batch_size):
            batch = idx[start:start + batch_size]
            error = activation_fn(X[batch] @ W + b) - y[batch]
            W = W - lr * X[batch].T @ error / len(batch)
            b = b - lr * np.mean(error)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
