# function: binary_cross_entropy
# bug: clips the caller's A in place with out=A
# cause: bce_clip_in_place
def binary_cross_entropy(A, y):
    A = np.clip(A, 1e-15, 1 - 1e-15, out=A)
    return -np.mean(y * np.log(A) + (1 - y) * np.log(1 - A))
