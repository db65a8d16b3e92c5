# function: matrix_multiply
# bug: np.dot(X, W.T) transposes W
# cause: matmul_transposed
def matrix_multiply(X, W):
    return np.dot(X, W.T)
