# function: softmax
# bug: row sums without keepdims broadcast against the wrong axis
# cause: softmax_no_keepdims
def softmax(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1)
