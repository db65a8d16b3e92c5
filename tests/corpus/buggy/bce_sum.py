# function: binary_cross_entropy
# bug: sum instead of mean
# cause: bce_sum
def binary_cross_entropy(A, y):
    eps = 1e-15
    return -np.sum(y * np.log(A + eps) + (1 - y) * np.log(1 - A + eps))
