# function: numerical_gradient
# bug: loops over len(value) only, so a matrix parameter gets just its first column
# cause: ng_first_column_only
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for i in range(len(value)):
            old = value[i, 0]
            value[i, 0] = old + h
            lp = loss_fn(forward_fn(X, params), y)
            value[i, 0] = old - h
            lm = loss_fn(forward_fn(X, params), y)
            value[i, 0] = old
            grad[i, 0] = (lp - lm) / (2 * h)
        grads[name] = grad
    return grads
