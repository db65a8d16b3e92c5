# function: relu
# bug: np.clip(..., out=Z) overwrites the input
def relu(Z):
    return np.clip(Z, 0, None, out=Z)
