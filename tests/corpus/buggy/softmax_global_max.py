# function: softmax
# bug: subtracts the global max instead of each row's max
# cause: softmax_global_max
def softmax(Z):
    e = np.exp(Z - np.max(Z))
    return e / e.sum(axis=1, keepdims=True)
