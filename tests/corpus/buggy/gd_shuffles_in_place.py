# function: gradient_descent
# bug: shuffles the caller's X and y in place with np.random.shuffle
# cause: gd_shuffles_in_place
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n = X.shape[0]
    history = []
    for epoch in range(num_epochs):
        state = np.random.get_state()
        np.random.shuffle(X)
        np.random.set_state(state)
        np.random.shuffle(y)
        for start in range(0, n, batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            error = activation_fn(xb @ W + b) - yb
            W = W - lr * xb.T @ error / len(xb)
            b = b - lr * np.mean(error)
        history.append(loss_fn(activation_fn(X @ W + b), y))
    return W, b, history
