# function: relu
# bug: returns the boolean mask instead of the values
# cause: relu_mask
def relu(Z):
    return Z > 0
