# function: normalize
def normalize(X):
    out = np.array(X, dtype=float)  # a copy, X stays as it was
    for j in range(out.shape[1]):
        col = out[:, j]
        col -= col.mean()
        s = col.std()
        if s > 0:
            col /= s
    return out
