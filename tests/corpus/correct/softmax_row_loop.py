# function: softmax
def softmax(Z):
    out = np.empty(Z.shape, dtype=float)
    for i, row in enumerate(Z):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out
