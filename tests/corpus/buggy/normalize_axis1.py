# function: normalize
# bug: statistics over rows (axis=1)
# cause: normalize_rows
def normalize(X):
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    std[std == 0] = 1
    return (X - mean) / std
