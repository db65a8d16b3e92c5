# function: binary_cross_entropy
import math


def binary_cross_entropy(A, y):
    total, count = 0.0, 0
    for a, t in zip(np.ravel(A), np.ravel(y)):
        a = min(max(float(a), 1e-15), 1 - 1e-15)
        total += t * math.log(a) + (1 - t) * math.log(1 - a)
        count += 1
    return -total / count
