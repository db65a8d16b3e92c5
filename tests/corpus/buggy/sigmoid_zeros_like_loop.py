# function: sigmoid
# bug: fills np.zeros_like(Z), so integer input gives integer (0) probabilities
# cause: sigmoid_int_buffer
import math


def sigmoid(Z):
    out = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        z = Z[idx]
        out[idx] = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
    return out
