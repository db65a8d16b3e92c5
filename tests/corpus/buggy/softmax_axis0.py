# function: softmax
# bug: normalises over columns (axis=0)
# cause: softmax_axis0
def softmax(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
