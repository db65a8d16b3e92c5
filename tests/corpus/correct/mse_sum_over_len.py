# function: mse_loss
def mse_loss(y_pred, y):
    return np.sum((y_pred - y) ** 2) / len(y)
