# function: sigmoid
# bug: exp(+Z) instead of exp(-Z)
def sigmoid(Z):
    return 1 / (1 + np.exp(Z))
