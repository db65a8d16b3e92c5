# function: relu
# bug: np.maximum(..., out=Z) overwrites the input
def relu(Z):
    return np.maximum(Z, 0, out=Z)
