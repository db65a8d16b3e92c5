# function: sigmoid
# bug: np.empty_like(Z) keeps an integer dtype for integer Z
# cause: sigmoid_int_buffer
def sigmoid(Z):
    A = np.empty_like(Z)
    A[:] = 1.0 / (1.0 + np.exp(-np.clip(Z, -500, 500)))
    return A
