# function: matrix_multiply
# bug: element-wise product instead of the matrix product
def matrix_multiply(X, W):
    return X * W
