# function: sigmoid
# bug: exp(Z) / (1 + exp(Z)) is inf/inf = nan for large Z
# cause: sigmoid_exp_ratio
def sigmoid(Z):
    e = np.exp(Z)
    return e / (1 + e)
