# function: normalize
# bug: fills np.zeros_like(X), which truncates to integers for integer X
# cause: normalize_int_buffer
def normalize(X):
    result = np.zeros_like(X)
    for j in range(X.shape[1]):
        col = X[:, j]
        s = col.std()
        result[:, j] = (col - col.mean()) / (s if s != 0 else 1.0)
    return result
