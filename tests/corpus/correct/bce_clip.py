# function: binary_cross_entropy
def binary_cross_entropy(A, y):
    A = np.clip(A, 1e-12, 1 - 1e-12)  # prevent log(0)
    return float(-np.mean(y * np.log(A) + (1 - y) * np.log(1 - A)))
