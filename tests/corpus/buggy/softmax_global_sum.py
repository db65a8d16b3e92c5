# function: softmax
# bug: divides by the sum of the whole array
def softmax(Z):
    exps = np.exp(Z - Z.max(axis=1, keepdims=True))
    return exps / exps.sum()
