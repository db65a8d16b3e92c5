# function: numerical_gradient
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-5):
    grads = {}
    for name, p in params.items():
        flat = p.reshape(-1)  # a view: writing into it nudges p
        g = np.zeros(flat.size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            lp = loss_fn(forward_fn(X, params), y)
            flat[i] = old - h
            lm = loss_fn(forward_fn(X, params), y)
            flat[i] = old
            g[i] = (lp - lm) / (2 * h)
        grads[name] = g.reshape(p.shape)
    return grads
