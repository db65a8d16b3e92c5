# function: mse_loss
# bug: forgets to square the errors
# cause: mse_no_square
def mse_loss(y_pred, y):
    return np.mean(y_pred - y)
