# function: forward_perceptron
# bug: applies np.tanh instead of sigmoid
# cause: fp_tanh
def forward_perceptron(X, W, b):
    return np.tanh(np.dot(X, W) + b)
