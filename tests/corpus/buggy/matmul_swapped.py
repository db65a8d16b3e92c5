# function: matrix_multiply
# bug: operands in the wrong order
# cause: matmul_swapped
def matrix_multiply(X, W):
    return np.dot(W, X)
