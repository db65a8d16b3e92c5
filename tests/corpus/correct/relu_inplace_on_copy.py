# function: relu
def relu(Z):
    A = Z.copy()
    A[A < 0] = 0  # on the copy, the caller's Z stays as it was
    return A
