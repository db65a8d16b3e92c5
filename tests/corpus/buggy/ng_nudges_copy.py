# function: numerical_gradient
# bug: nudges a copy of the parameter, so forward_fn never sees the change
# cause: ng_nudges_copy
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name, value in params.items():
        p = value.copy()
        grad = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            lp = loss_fn(forward_fn(X, params), y)
            p[idx] = old - h
            lm = loss_fn(forward_fn(X, params), y)
            p[idx] = old
            grad[idx] = (lp - lm) / (2 * h)
        grads[name] = grad
    return grads
