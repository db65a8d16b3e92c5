# function: numerical_gradient
# bug: calls loss_fn(y, y_pred)
# cause: ng_loss_arguments_swapped
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p, dtype=float)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = loss_fn(y, forward_fn(X, params))
            p[idx] = old - h
            down = loss_fn(y, forward_fn(X, params))
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads[name] = g
    return grads
