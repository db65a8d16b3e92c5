# function: relu
# bug: Z *= (Z > 0) changes the caller's array
def relu(Z):
    Z *= (Z > 0)
    return Z
