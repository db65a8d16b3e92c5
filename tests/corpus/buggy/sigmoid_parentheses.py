# function: sigmoid
# bug: missing parentheses around the denominator
def sigmoid(Z):
    return 1 / 1 + np.exp(-Z)
