# function: forward_perceptron
# bug: forgets the bias
def forward_perceptron(X, W, b):
    return sigmoid(X @ W)
