# function: forward_perceptron
# bug: forgets the bias
# cause: fp_no_bias
def forward_perceptron(X, W, b):
    return sigmoid(X @ W)
