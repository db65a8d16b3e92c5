# function: numerical_gradient
# bug: leaves each entry at original - h instead of restoring it
# cause: ng_not_restored
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + h
            lp = loss_fn(forward_fn(X, params), y)
            value[idx] = old - h
            lm = loss_fn(forward_fn(X, params), y)
            grad[idx] = (lp - lm) / (2 * h)
        grads[name] = grad
    return grads
