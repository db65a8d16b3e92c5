# function: mse_loss
# bug: np.sum over axis 0 divided by n: an array for columns
# cause: mse_axis0
def mse_loss(y_pred, y):
    n = y.shape[0]
    return np.sum((y_pred - y) ** 2, axis=0) / n
