# function: relu
# bug: np.clip(..., out=Z) overwrites the input
# cause: relu_in_place
def relu(Z):
    return np.clip(Z, 0, None, out=Z)
