# function: mse_loss
# bug: keepdims=True returns an array instead of one number
def mse_loss(y_pred, y):
    squared = (y_pred - y) ** 2
    return np.mean(squared, keepdims=True)
