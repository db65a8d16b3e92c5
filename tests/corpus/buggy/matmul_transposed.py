# function: matrix_multiply
# bug: returns the transpose of the product
def matrix_multiply(X, W):
    return np.matmul(W.T, X.T)
