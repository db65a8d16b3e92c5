# function: forward_perceptron
# bug: returns the linear output without the sigmoid
# cause: fp_no_sigmoid
def forward_perceptron(X, W, b):
    Z = X @ W + b
    return Z
