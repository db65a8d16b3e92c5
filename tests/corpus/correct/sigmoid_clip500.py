# function: sigmoid
def sigmoid(Z):
    Z = np.clip(Z, -500, 500)  # exp(500) still fits in a float64
    return 1.0 / (1.0 + np.exp(-Z))
