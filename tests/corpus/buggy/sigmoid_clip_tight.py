# function: sigmoid
# bug: clips Z to [-10, 10] "for stability", so large |z| never reaches 0 or 1
# cause: sigmoid_clip_10
def sigmoid(Z):
    Z = np.clip(Z, -10, 10)
    return 1 / (1 + np.exp(-Z))
