# function: sigmoid
# bug: writes the probabilities into the caller's array
# cause: sigmoid_in_place,sigmoid_int_buffer
def sigmoid(Z):
    Z[...] = 1.0 / (1.0 + np.exp(-Z))
    return Z
