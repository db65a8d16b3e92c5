# function: relu
# bug: Z *= (Z > 0) changes the caller's array
# cause: relu_in_place
def relu(Z):
    Z *= (Z > 0)
    return Z
