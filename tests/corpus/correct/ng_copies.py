# function: numerical_gradient
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name in params:
        g = np.zeros(params[name].shape)
        for idx in np.ndindex(params[name].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += h
            minus[name][idx] -= h
            g[idx] = (loss_fn(forward_fn(X, plus), y) - loss_fn(forward_fn(X, minus), y)) / (2 * h)
        grads[name] = g
    return grads
