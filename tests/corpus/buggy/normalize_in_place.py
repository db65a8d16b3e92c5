# function: normalize
# bug: modifies the caller's X
def normalize(X):
    X -= X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1.0
    X /= std
    return X
