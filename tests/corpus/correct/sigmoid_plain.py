# function: sigmoid
def sigmoid(Z):
    # the textbook formula (may warn about overflow for very negative Z, result is fine)
    return 1 / (1 + np.exp(-Z))
