# function: forward_perceptron
# bug: applies relu instead of sigmoid
def forward_perceptron(X, W, b):
    return relu(X @ W + b)
