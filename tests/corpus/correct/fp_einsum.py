# function: forward_perceptron
def forward_perceptron(X, W, b):
    return sigmoid(np.einsum("ij,jk->ik", X, W) + b)
