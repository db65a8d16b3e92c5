# function: gradient_descent
# bug: records the loss of X @ W + b, without activation_fn
# cause: gd_loss_without_activation
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        order = np.random.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            error = activation_fn(X[batch] @ W + b) - y[batch]
            W = W - lr * X[batch].T @ error / len(batch)
            b = b - lr * np.mean(error)
        history.append(loss_fn(X @ W + b, y))
    return W, b, history
