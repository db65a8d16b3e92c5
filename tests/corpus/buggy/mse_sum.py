# function: mse_loss
# bug: returns the sum of squared errors
# cause: mse_sum
def mse_loss(y_pred, y):
    return np.sum((y_pred - y) ** 2)
