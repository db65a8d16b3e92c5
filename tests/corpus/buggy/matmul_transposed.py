# function: matrix_multiply
# bug: returns the transpose of the product
# cause: matmul_result_transposed
def matrix_multiply(X, W):
    return np.matmul(W.T, X.T)
