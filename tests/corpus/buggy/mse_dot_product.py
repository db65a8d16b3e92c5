# function: mse_loss
# bug: e.T @ e / n is a (1, 1) array for column vectors
# cause: mse_one_by_one
def mse_loss(y_pred, y):
    e = y_pred - y
    return e.T @ e / len(e)
