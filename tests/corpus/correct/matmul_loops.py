# function: matrix_multiply
def matrix_multiply(X, W):
    m, n = X.shape
    n2, p = W.shape
    assert n == n2, "inner dimensions must match"
    out = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            total = 0.0
            for k in range(n):
                total += X[i, k] * W[k, j]
            out[i, j] = total
    return out
