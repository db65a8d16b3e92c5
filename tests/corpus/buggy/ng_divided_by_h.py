# function: numerical_gradient
# bug: divides by h instead of 2h
# cause: ng_divided_by_h
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
            value[idx] = old
            grad[idx] = (lp - lm) / h
        grads[name] = grad
    return grads
