# function: numerical_gradient
# bug: uses (L(p) - L(p - h)) / h
# cause: ng_backward_difference
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    result = {}
    for key in params:
        value = params[key]
        grad = np.zeros(value.shape)
        base = loss_fn(forward_fn(X, params), y)
        it = np.nditer(value, flags=["multi_index"])
        while not it.finished:
            i = it.multi_index
            keep = value[i]
            value[i] = keep - h
            lower = loss_fn(forward_fn(X, params), y)
            value[i] = keep
            grad[i] = (base - lower) / h
            it.iternext()
        result[key] = grad
    return result
