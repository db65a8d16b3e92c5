# function: gradient_descent
# bug: records loss_fn(y, y_pred) with the arguments the wrong way round
# cause: gd_loss_arguments_swapped
def gradient_descent(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=lambda x: x):
    n_samples = X.shape[0]
    loss_history = []
    for epoch in range(num_epochs):
        indices = np.random.permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            batch = indices[start:start + batch_size]
            y_pred = activation_fn(X[batch] @ W + b)
            error = y_pred - y[batch]
            W = W - lr * (X[batch].T @ error) / len(batch)
            b = b - lr * np.mean(error)
        loss_history.append(loss_fn(y, activation_fn(X @ W + b)))
    return W, b, loss_history
