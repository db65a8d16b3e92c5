# function: normalize
# bug: forgets to subtract the mean
# cause: normalize_no_mean
def normalize(X):
    std = np.std(X, axis=0)
    std[std == 0] = 1.0
    return X / std
