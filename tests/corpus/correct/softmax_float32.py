# function: softmax
def softmax(Z):
    Z = np.asarray(Z)
    # keep float32 inputs in float32 (saves memory on big batches)
    dtype = Z.dtype if np.issubdtype(Z.dtype, np.floating) else np.float64
    shifted = (Z - Z.max(axis=1, keepdims=True)).astype(dtype, copy=False)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)
