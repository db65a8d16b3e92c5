# function: sigmoid
# bug: exp(+Z) instead of exp(-Z)
# cause: sigmoid_wrong_sign
def sigmoid(Z):
    return 1 / (1 + np.exp(Z))
