# function: relu
def relu(Z):
    """ReLU: multiply by the 0/1 mask of positive entries."""
    return Z * (Z > 0)
