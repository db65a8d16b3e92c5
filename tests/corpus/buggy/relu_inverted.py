# function: relu
# bug: comparison the wrong way round keeps the negatives
def relu(Z):
    return Z * (Z < 0)
