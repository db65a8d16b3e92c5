# function: softmax
# bug: np.subtract(..., out=Z) shifts the caller's scores
# cause: softmax_shift_in_place
def softmax(Z):
    np.subtract(Z, Z.max(axis=1, keepdims=True), out=Z)
    exp_Z = np.exp(Z)
    return exp_Z / exp_Z.sum(axis=1, keepdims=True)
