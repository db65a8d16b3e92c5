# function: sigmoid
def sigmoid(Z):
    # sigma(z) = (1 + tanh(z/2)) / 2, and tanh never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * Z))
