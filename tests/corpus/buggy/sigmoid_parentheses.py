# function: sigmoid
# bug: missing parentheses around the denominator
# cause: sigmoid_parentheses
def sigmoid(Z):
    return 1 / 1 + np.exp(-Z)
