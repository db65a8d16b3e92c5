# function: mse_loss
def mse_loss(y_pred, y):
    e = (y_pred - y).ravel()
    return np.einsum("i,i->", e, e) / e.size
