# function: relu
def relu(Z):
    return np.clip(Z, 0, None)
