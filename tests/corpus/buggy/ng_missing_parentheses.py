# function: numerical_gradient
# bug: divides by 2 * h without parentheses
# cause: ng_missing_parentheses
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value, dtype=float)
        for idx in np.ndindex(value.shape):
            original = value[idx]
            value[idx] = original + h
            loss_plus = loss_fn(forward_fn(X, params), y)
            value[idx] = original - h
            loss_minus = loss_fn(forward_fn(X, params), y)
            value[idx] = original
            grad[idx] = (loss_plus - loss_minus) / 2 * h
        grads[name] = grad
    return grads
