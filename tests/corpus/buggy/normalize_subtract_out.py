# function: normalize
# bug: np.subtract / np.divide with out=X standardise the caller's X itself
# cause: normalize_in_place
def normalize(X):
    std = np.std(X, axis=0)
    np.subtract(X, np.mean(X, axis=0), out=X)
    np.divide(X, np.where(std == 0, 1.0, std), out=X)
    return X
