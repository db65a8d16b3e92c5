# function: binary_cross_entropy
EPS = 1e-7


def binary_cross_entropy(A, y):
    A = np.clip(A, EPS, 1 - EPS)
    losses = -(y * np.log(A) + (1 - y) * np.log(1 - A))
    return np.mean(losses)
