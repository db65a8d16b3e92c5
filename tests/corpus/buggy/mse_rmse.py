# function: mse_loss
# bug: takes the square root (RMSE)
# cause: mse_root
def mse_loss(y_pred, y):
    return np.sqrt(np.mean((y_pred - y) ** 2))
