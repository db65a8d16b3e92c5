# function: relu
# bug: zeroes the negatives of the caller's array in place
# cause: relu_in_place
def relu(Z):
    Z[Z < 0] = 0
    return Z
