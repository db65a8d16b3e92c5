# function: mse_loss
def mse_loss(y_pred, y):
    diffs = (np.asarray(y_pred, dtype=float) - np.asarray(y, dtype=float)).ravel()
    total = 0.0
    for d in diffs:
        total += d * d
    return total / len(diffs)
