# function: forward_perceptron
# bug: uses W[:, 0], so the output is not a column
# cause: fp_flat_weights
def forward_perceptron(X, W, b):
    z = X @ W[:, 0] + b
    return sigmoid(z)
