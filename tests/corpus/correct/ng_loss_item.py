# function: numerical_gradient
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    """Calls .item() on the loss, as one may on the course's np.mean losses."""
    grads = {}
    for name in params:
        p = params[name]
        g = np.zeros(p.shape)
        for idx in np.ndindex(*p.shape):
            saved = p[idx].copy()
            p[idx] = saved + h
            plus = loss_fn(forward_fn(X, params), y).item()
            p[idx] = saved - h
            minus = loss_fn(forward_fn(X, params), y).item()
            p[idx] = saved
            g[idx] = (plus - minus) / (2 * h)
        grads[name] = g
    return grads
