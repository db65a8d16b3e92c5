# function: numerical_gradient
# bug: forward difference instead of central difference
# cause: ng_forward_difference
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    base = loss_fn(forward_fn(X, params), y)
    for name, value in params.items():
        grad = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + h
            grad[idx] = (loss_fn(forward_fn(X, params), y) - base) / h
            value[idx] = old
        grads[name] = grad
    return grads
