# function: relu
# bug: zeroes negatives of the caller's array in a loop
# cause: relu_in_place
def relu(Z):
    for idx in np.ndindex(Z.shape):
        if Z[idx] < 0:
            Z[idx] = 0
    return Z
