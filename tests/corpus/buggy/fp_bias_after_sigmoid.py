# function: forward_perceptron
# bug: adds the bias after the sigmoid
# cause: fp_bias_after_sigmoid
def forward_perceptron(X, W, b):
    return sigmoid(X @ W) + b
