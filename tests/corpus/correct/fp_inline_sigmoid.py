# function: forward_perceptron
def forward_perceptron(X, W, b):
    z = np.dot(X, W) + b
    return 1.0 / (1.0 + np.exp(-z))
