# function: relu
# bug: np.maximum(..., out=Z) overwrites the input
# cause: relu_in_place
def relu(Z):
    return np.maximum(Z, 0, out=Z)
