# function: mse_loss
# bug: e.T @ e / n is a (1, 1) array for column vectors
def mse_loss(y_pred, y):
    e = y_pred - y
    return e.T @ e / len(e)
