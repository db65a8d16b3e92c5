# function: forward_perceptron
# bug: adds the bias after the sigmoid
def forward_perceptron(X, W, b):
    return sigmoid(X @ W) + b
