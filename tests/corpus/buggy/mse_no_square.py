# function: mse_loss
# bug: forgets to square the errors
def mse_loss(y_pred, y):
    return np.mean(y_pred - y)
