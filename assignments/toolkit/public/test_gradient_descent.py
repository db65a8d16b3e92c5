"""Public checks for gradient_descent: training a linear model with mini-batches.

Students shuffle in different ways, so the checks never ask for one exact
trajectory: they ask that training works (the loss goes down a lot) and that
the results have the documented shapes.
"""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("gradient_descent"), pytest.mark.visibility("public")]


def easy_regression(rng, n):
    # y = 2 x1 - x2 + 3, without noise: a loss near 0 is reachable.
    X = rng.standard_normal((n, 2))
    return X, X @ np.array([[2.0], [-1.0]]) + 3.0


def unpack(expect, result, W0, b0, num_epochs, args):
    """Check the (W, b, loss_history) shapes; return them as arrays."""
    expect.true(isinstance(result, (tuple, list)) and len(result) == 3,
                "gradient_descent should return a tuple (W, b, loss_history), but it "
                f"returned {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
                + ".", fn="gradient_descent", args=args, got=result)
    W, b, history = result
    if isinstance(b, (int, float)):
        b = np.array(float(b))  # a plain number is a fine bias too
    W = expect.array(W, what="the W returned by gradient_descent", shape=W0.shape,
                     fn="gradient_descent", args=args)
    b = expect.array(b, what="the b returned by gradient_descent",
                     fn="gradient_descent", args=args)
    expect.true(b.size == 1, f"the b returned by gradient_descent should hold one number "
                f"(shape {b0.shape}), but it has shape {b.shape}.",
                hint="Take the mean of the error for the bias gradient.",
                fn="gradient_descent", args=args, got=result)
    history = expect.array(history, what="the loss_history returned by gradient_descent",
                           fn="gradient_descent", args=args)
    expect.true(history.size == num_epochs,
                f"loss_history should hold one loss per epoch ({num_epochs} values), but it "
                f"holds {history.size}.",
                hint="Record the loss once per epoch, after that epoch's batches.",
                fn="gradient_descent", args=args, got=result)
    expect.true(np.all(np.isfinite(history)),
                f"loss_history contains nan or inf values ({history.ravel()[:3]}, ...): the "
                "loss exploded during training.",
                hint="Likely causes: steps that are too big (the gradient summed over the "
                "batch instead of averaged), or steps along the gradient instead of against "
                "it.", fn="gradient_descent", args=args, got=result)
    return W, b, history.ravel()


@pytest.mark.points(3)
def test_gd_lowers_loss_linear_regression(student, expect, rng, helpers):
    # 40 samples, batches of 8, 20 epochs, the default activation (identity).
    X, y = easy_regression(rng, 40)
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    args = (X, y, W0, b0, 0.1, 20, 8, helpers.squared_error)
    initial = helpers.squared_error(X @ W0 + b0, y)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.1,
                                      num_epochs=20, batch_size=8,
                                      loss_fn=helpers.squared_error)
    W, b, history = unpack(expect, result, W0, b0, 20, args)
    expect.true(history[-1] < history[0],
                "the loss should go down during training, but it "
                f"{expect.change(history[0], history[-1])}.",
                hint="Likely causes: steps that are too big (the gradient summed over the "
                "batch instead of averaged, or scaled by the batch size), steps along the "
                "gradient instead of against it (W = W - lr * grad_W), or an error computed "
                "as y - prediction while the update assumes prediction - y.",
                fn="gradient_descent", args=args, got=result)
    expect.true(history[-1] < 0.1 * initial,
                f"after 20 epochs on an easy problem the loss should be far below the "
                f"initial {initial:.4g}, but it is {history[-1]:.4g}.",
                hint="Are both W and b updated after every batch, with the gradient averaged "
                "over the batch?", fn="gradient_descent", args=args, got=result)


@pytest.mark.points(1)
def test_gd_one_loss_per_epoch(student, expect, rng, helpers):
    # 30 samples in batches of 10 is 3 batches per epoch, but 4 epochs give 4 losses.
    X, y = easy_regression(rng, 30)
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    args = (X, y, W0, b0, 0.05, 4, 10, helpers.squared_error)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.05,
                                      num_epochs=4, batch_size=10,
                                      loss_fn=helpers.squared_error)
    unpack(expect, result, W0, b0, 4, args)
