# function: binary_cross_entropy
# bug: writes the clipped probabilities into the caller's A
# cause: bce_clip_in_place
def binary_cross_entropy(A, y):
    eps = 1e-7
    A[A < eps] = eps
    A[A > 1 - eps] = 1 - eps
    return float(-np.mean(y * np.log(A) + (1 - y) * np.log(1 - A)))
