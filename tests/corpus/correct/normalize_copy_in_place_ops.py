# function: normalize
def normalize(X):
    out = X.astype(float, copy=True)
    out -= out.mean(axis=0)
    std = out.std(axis=0)
    out /= np.where(std == 0, 1, std)
    return out
