# function: binary_cross_entropy
# bug: forgets the (1 - y) * log(1 - A) term
# cause: bce_missing_negative_term
def binary_cross_entropy(A, y):
    return -np.mean(y * np.log(A + 1e-15))
