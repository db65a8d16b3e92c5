# function: matrix_multiply
def matrix_multiply(X, W):
    return np.einsum("ij,jk->ik", X, W)
