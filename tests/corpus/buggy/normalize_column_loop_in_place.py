# function: normalize
# bug: standardises each column of the caller's X in place
# cause: normalize_in_place,normalize_int_buffer
def normalize(X):
    for j in range(X.shape[1]):
        mu, sigma = X[:, j].mean(), X[:, j].std()
        X[:, j] = (X[:, j] - mu) / (sigma if sigma > 0 else 1)
    return X
