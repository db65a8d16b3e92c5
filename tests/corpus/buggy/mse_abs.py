# function: mse_loss
# bug: mean absolute error
def mse_loss(y_pred, y):
    return np.mean(np.abs(y_pred - y))
