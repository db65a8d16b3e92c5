# function: binary_cross_entropy
# bug: y.T @ log(A) gives a (1, 1) array for column vectors
# cause: bce_matrix_product
def binary_cross_entropy(A, y):
    eps = 1e-15
    m = y.shape[0]
    cost = -(y.T @ np.log(A + eps) + (1 - y).T @ np.log(1 - A + eps)) / m
    return cost
