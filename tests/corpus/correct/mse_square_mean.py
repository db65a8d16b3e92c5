# function: mse_loss
def mse_loss(y_pred, y):
    return np.square(y_pred - y).mean()
