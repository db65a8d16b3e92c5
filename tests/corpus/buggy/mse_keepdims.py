# function: mse_loss
# bug: keepdims=True returns an array instead of one number
# cause: mse_keepdims
def mse_loss(y_pred, y):
    squared = (y_pred - y) ** 2
    return np.mean(squared, keepdims=True)
