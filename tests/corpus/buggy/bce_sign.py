# function: binary_cross_entropy
# bug: missing minus sign
# cause: bce_sign
def binary_cross_entropy(A, y):
    eps = 1e-15
    return np.mean(y * np.log(A + eps) + (1 - y) * np.log(1 - A + eps))
