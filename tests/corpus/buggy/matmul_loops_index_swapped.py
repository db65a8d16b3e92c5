# function: matrix_multiply
# bug: triple loop reads W[j, k] instead of W[k, j]
# cause: matmul_transposed
def matrix_multiply(X, W):
    m, n = X.shape
    p = W.shape[1]
    out = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                out[i, j] += X[i, k] * W[j, k]
    return out
