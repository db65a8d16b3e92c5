# function: binary_cross_entropy
# bug: np.mean over axis 0 returns an array for columns
# cause: bce_axis0
def binary_cross_entropy(A, y):
    eps = 1e-15
    terms = y * np.log(A + eps) + (1 - y) * np.log(1 - A + eps)
    return -np.mean(terms, axis=0)
