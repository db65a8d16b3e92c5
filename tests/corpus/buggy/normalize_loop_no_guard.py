# function: normalize
# bug: divides every column by its std, also a constant column's std of 0
# cause: normalize_no_std_guard
def normalize(X):
    cols = []
    for j in range(X.shape[1]):
        c = X[:, j]
        cols.append((c - np.mean(c)) / np.std(c))
    return np.stack(cols, axis=1)
