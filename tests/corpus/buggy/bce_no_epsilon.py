# function: binary_cross_entropy
# bug: no epsilon, log(0) for predictions of exactly 0 or 1
# cause: bce_no_epsilon
def binary_cross_entropy(A, y):
    return -np.mean(y * np.log(A) + (1 - y) * np.log(1 - A))
