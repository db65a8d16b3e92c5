# function: normalize
def normalize(X):
    with np.errstate(divide="ignore", invalid="ignore"):
        Z = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.nan_to_num(Z)
