# function: normalize
# bug: modifies the caller's X
# cause: normalize_in_place
def normalize(X):
    X -= X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1.0
    X /= std
    return X
