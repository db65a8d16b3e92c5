# function: gradient_descent
# bug: updates the caller's W and b in place with -=
# cause: gd_update_in_place
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        idx = np.random.permutation(n)
        for start in range(0, n, batch_size):
            batch = idx[start:start + batch_size]
            error = activation_fn(X[batch] @ W + b) - y[batch]
            W -= lr * X[batch].T @ error / len(batch)
            b -= lr * np.mean(error)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
