# function: relu
# bug: comparison the wrong way round keeps the negatives
# cause: relu_inverted
def relu(Z):
    return Z * (Z < 0)
