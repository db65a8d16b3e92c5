# function: matrix_multiply
# bug: element-wise product instead of the matrix product
# cause: matmul_elementwise
def matrix_multiply(X, W):
    return X * W
