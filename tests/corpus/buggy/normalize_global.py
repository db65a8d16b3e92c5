# function: normalize
# bug: one mean and std for the whole matrix
# cause: normalize_global
def normalize(X):
    s = X.std()
    return (X - X.mean()) / (s if s != 0 else 1.0)
