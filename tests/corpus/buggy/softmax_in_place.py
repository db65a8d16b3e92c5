# function: softmax
# bug: shifts the caller's scores in place
# cause: softmax_shift_in_place
def softmax(Z):
    Z -= np.max(Z, axis=1, keepdims=True)
    e = np.exp(Z)
    return e / np.sum(e, axis=1, keepdims=True)
