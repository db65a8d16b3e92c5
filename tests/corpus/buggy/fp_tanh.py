# function: forward_perceptron
# bug: applies np.tanh instead of sigmoid
def forward_perceptron(X, W, b):
    return np.tanh(np.dot(X, W) + b)
