# function: relu
# bug: zeroes the negatives of the caller's array in place
def relu(Z):
    Z[Z < 0] = 0
    return Z
