# function: binary_cross_entropy
def binary_cross_entropy(A, y):
    eps = 1e-15
    # pick log(A) for positives, log(1 - A) for negatives
    per_sample = np.where(y == 1, np.log(A + eps), np.log(1 - A + eps))
    return -per_sample.mean()
