# function: normalize
# bug: sample std (ddof=1) instead of the population std
# cause: normalize_ddof1
def normalize(X):
    std = np.std(X, axis=0, ddof=1)
    return (X - np.mean(X, axis=0)) / np.where(std == 0, 1, std)
