# function: gradient_descent
# bug: trains copies of W and b but returns the initial ones
# cause: gd_returns_initial
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    weights, bias = W.copy(), b.copy()
    history = []
    for epoch in range(num_epochs):
        order = np.random.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            error = activation_fn(X[batch] @ weights + bias) - y[batch]
            weights = weights - lr * X[batch].T @ error / len(batch)
            bias = bias - lr * np.mean(error)
        history.append(loss_fn(activation_fn(X @ weights + bias), y))
    return W, b, history
