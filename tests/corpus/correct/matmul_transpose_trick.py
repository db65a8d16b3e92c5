# function: matrix_multiply
def matrix_multiply(X, W):
    return (W.T @ X.T).T
