# function: forward_perceptron
# bug: applies relu instead of sigmoid
# cause: fp_no_sigmoid,fp_relu
def forward_perceptron(X, W, b):
    return relu(X @ W + b)
