# function: mse_loss
# bug: np.mean over axis 0 returns an array for column vectors
# cause: mse_axis0
def mse_loss(y_pred, y):
    return np.mean((y_pred - y) ** 2, axis=0)
