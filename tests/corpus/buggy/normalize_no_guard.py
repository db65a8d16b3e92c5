# function: normalize
# bug: no std == 0 guard, constant columns become nan
def normalize(X):
    return (X - np.mean(X, axis=0)) / np.std(X, axis=0)
