# function: softmax
def softmax(Z):
    # log-softmax via the log-sum-exp trick, then exponentiate
    m = Z.max(axis=1, keepdims=True)
    log_sum = m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    return np.exp(Z - log_sum)
