# function: relu
def relu(Z):
    return np.where(Z >= 0, Z, 0)
