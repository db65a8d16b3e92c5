# function: sigmoid
def sigmoid(Z):
    Z = np.asarray(Z, dtype=float)
    out = np.empty(Z.shape)
    pos = Z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-Z[pos]))
    ez = np.exp(Z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out
