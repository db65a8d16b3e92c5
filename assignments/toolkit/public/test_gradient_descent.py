"""Public checks for gradient_descent: training a linear model with mini-batches.

Students shuffle in different ways, so the checks never ask for one exact
trajectory: they ask that training works (the loss goes down a lot), that the
results have the documented shapes, and, on five samples, that the result is
the one of SOME order of the samples (every order is tried).
"""

import itertools

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


@pytest.mark.points(1)
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
                "gradient instead of against it (adding lr times the gradient), or an error "
                "computed as y - prediction while the update assumes prediction - y.",
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


def epoch_orders(n, batch_size):
    """Every distinct way one epoch can cut a shuffled data set into batches: the
    batches in order, each a tuple of sample indices (the last may be smaller)."""
    seen = {}
    for perm in itertools.permutations(range(n)):
        batches = tuple(tuple(sorted(perm[s:s + batch_size])) for s in range(0, n, batch_size))
        seen[batches] = None
    return list(seen)


def step_epoch(X, y, W, b, lr, batches):
    """One epoch of the course's update rule over ``batches``; returns W, b, loss."""
    for batch in batches:
        idx = list(batch)
        error = X[idx] @ W + b - y[idx]
        W = W - lr * X[idx].T @ error / len(idx)
        b = b - lr * error.mean()
    return W, b, np.square(X @ W + b - y).mean()


def matching_trajectories(X, y, W0, b0, lr, batch_size, history, scales=(1.0, 2.0)):
    """(W, b) after mini-batch gradient descent (identity activation, mean squared
    error) for every order of the samples in every epoch whose loss after each epoch
    is the one recorded in ``history`` (other orders are dropped epoch by epoch).
    ``scales``: the course's step X^T e / m, and the exact MSE gradient 2 X^T e / m."""
    orders = epoch_orders(len(X), batch_size)
    out = []
    for scale in scales:
        states = [(W0, b0)]
        for recorded in history:
            states = [(W1, b1) for W, b in states for batches in orders
                      for W1, b1, loss in [step_epoch(X, y, W, b, lr * scale, batches)]
                      if np.isclose(loss, recorded, rtol=1e-6, atol=1e-9)]
        out += states
    return out


def probe(student, helpers):
    """Run the student's code where the order of the samples cannot matter (five
    identical samples, a logistic activation and the log loss), so that a known
    mistake can be recognised in the result. Returns (args, result), the result None
    when it is what the course's rule gives (the mistake does not show there)."""
    X, y = np.tile([[1.0, -0.5]], (5, 1)), np.ones((5, 1))
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    args = (X, y, W0, b0, 0.5, 2, 2, helpers.log_loss, helpers.logistic)
    try:
        got = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.5,
                                       num_epochs=2, batch_size=2, loss_fn=helpers.log_loss,
                                       activation_fn=helpers.logistic)
        W, b, history = got
        W_ref, b_ref, h_ref = W0, b0, []
        for _ in range(2):
            for start in range(0, 5, 2):
                error = helpers.logistic(X[start:start + 2] @ W_ref + b_ref) - y[start:start + 2]
                W_ref = W_ref - 0.5 * X[start:start + 2].T @ error / len(error)
                b_ref = b_ref - 0.5 * error.mean()
            h_ref.append(helpers.log_loss(helpers.logistic(X @ W_ref + b_ref), y))
        if np.allclose(W, W_ref) and np.allclose(np.ravel(b), np.ravel(b_ref)) and \
                np.allclose(history, h_ref):
            got = None
    except Exception:  # noqa: BLE001 - only for naming the mistake
        got = None
    return args, got


def check_some_order(expect, student, helpers, X, y, W0, b0, lr, num_epochs, batch_size,
                     story):
    """The result must be mini-batch gradient descent for SOME order of the samples."""
    args = (X, y, W0, b0, lr, num_epochs, batch_size, helpers.squared_error)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=lr,
                                      num_epochs=num_epochs, batch_size=batch_size,
                                      loss_fn=helpers.squared_error)
    W, b, history = unpack(expect, result, W0, b0, num_epochs, args)
    last = helpers.squared_error(X @ W + b, y)
    if not np.isclose(history[-1], last, rtol=1e-6, atol=1e-9):
        probe_args, probe_got = probe(student, helpers)
        expect.fail(f"the last entry of loss_history is {history[-1]:.6g}, but the loss of "
                    f"the W and b you returned is {last:.6g}.",
                    hint="Record the loss on all of X after the epoch's updates, and return "
                         "the updated W and b.",
                    fn="gradient_descent", args=probe_args, got=probe_got)
    for W_ref, b_ref in matching_trajectories(X, y, W0, b0, lr, batch_size, history):
        if np.allclose(W, W_ref, rtol=1e-6, atol=1e-9) and \
                np.allclose(b.ravel(), np.ravel(b_ref), rtol=1e-6, atol=1e-9):
            return
    probe_args, probe_got = probe(student, helpers)
    expect.fail(f"{story} the W, b and loss_history you returned do not match mini-batch "
                "gradient descent for any order of the samples.",
                hint="In every epoch each sample must be used exactly once, in batches of "
                     f"batch_size = {batch_size} (the last batch holds what is left); each "
                     "batch of m samples steps W by -lr times X_batch.T times the error, "
                     "divided by m, and b by -lr times the mean error; then one loss on all "
                     "of X.",
                fn="gradient_descent", args=probe_args, got=probe_got)


@pytest.mark.points(2)
def test_gd_every_sample_every_epoch(student, expect, rng, helpers):
    # 5 samples in batches of 2: batches of 2, 2 and a last one of 1 sample, for 2 epochs.
    # Whatever order you shuffle in, the result must be the one of SOME order (all
    # 30 ways to cut 5 samples into batches are tried, in every epoch).
    X, y = rng.standard_normal((5, 2)), rng.standard_normal((5, 1))
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    check_some_order(expect, student, helpers, X, y, W0, b0, 0.1, 2, 2,
                     "With 5 samples, batch_size = 2 and 2 epochs,")
