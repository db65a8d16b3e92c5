# function: mse_loss
# bug: mean absolute error
# cause: mse_abs
def mse_loss(y_pred, y):
    return np.mean(np.abs(y_pred - y))
