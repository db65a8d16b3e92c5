# function: relu
# bug: returns the boolean mask instead of the values
def relu(Z):
    return Z > 0
