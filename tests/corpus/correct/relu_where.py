# function: relu
def relu(Z):
    # keep positive entries, zero elsewhere
    return np.where(Z > 0, Z, 0)
