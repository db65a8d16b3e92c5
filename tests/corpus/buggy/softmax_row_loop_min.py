# function: softmax
# bug: row loop that shifts by the row's minimum
# cause: softmax_min_shift
def softmax(Z):
    out = np.empty(Z.shape, dtype=float)
    for i in range(Z.shape[0]):
        row = np.exp(Z[i] - Z[i].min())
        out[i] = row / row.sum()
    return out
