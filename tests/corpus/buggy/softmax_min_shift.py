# function: softmax
# bug: subtracts each row's minimum, so exp overflows on wide rows
# cause: softmax_min_shift
def softmax(Z):
    shifted = Z - np.min(Z, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
