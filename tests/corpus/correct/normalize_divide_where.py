# function: normalize
def normalize(X):
    centered = X - X.mean(axis=0, keepdims=True)
    std = X.std(axis=0, keepdims=True)
    # divide only where std != 0; constant columns stay at 0
    return np.divide(centered, std, out=np.zeros_like(centered), where=std != 0)
