"""Hidden checks for gradient_descent: full batches, logistic regression, convergence."""

import itertools

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("gradient_descent"), pytest.mark.visibility("hidden")]


def easy_regression(rng, n):
    # y = 2 x1 - x2 + 3, without noise: a loss near 0 is reachable.
    X = rng.standard_normal((n, 2))
    return X, X @ np.array([[2.0], [-1.0]]) + 3.0


def unpack(expect, result, W0, num_epochs, args, hint=""):
    """Check the (W, b, loss_history) shapes; return them as arrays."""
    expect.true(isinstance(result, (tuple, list)) and len(result) == 3,
                "gradient_descent should return a tuple (W, b, loss_history).",
                fn="gradient_descent", args=args, got=result)
    W, b, history = result
    if isinstance(b, (int, float)):
        b = np.array(float(b))  # a plain number is a fine bias too
    W = expect.array(W, what="the W returned by gradient_descent", shape=W0.shape,
                     fn="gradient_descent", args=args)
    b = expect.array(b, what="the b returned by gradient_descent",
                     fn="gradient_descent", args=args)
    expect.true(b.size == 1, "the b returned by gradient_descent should hold one number.",
                fn="gradient_descent", args=args, got=result)
    history = expect.array(history, what="the loss_history returned by gradient_descent",
                           fn="gradient_descent", args=args)
    expect.true(history.size == num_epochs,
                f"loss_history should hold one loss per epoch ({num_epochs} values), but it "
                f"holds {history.size}.",
                hint="Record the loss once per epoch, after that epoch's batches.",
                fn="gradient_descent", args=args, got=result)
    expect.true(np.all(np.isfinite(history)),
                "loss_history contains nan or inf values.", hint=hint,
                fn="gradient_descent", args=args, got=result)
    return W, b, history.ravel()


@pytest.mark.points(1)
def test_gd_full_batch(student, expect, rng, helpers):
    # batch_size = n: one step per epoch on all the data (no shuffling effect).
    X, y = easy_regression(rng, 25)
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    args = (X, y, W0, b0, 0.1, 30, 25, helpers.squared_error)
    initial = helpers.squared_error(X @ W0 + b0, y)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.1,
                                      num_epochs=30, batch_size=25,
                                      loss_fn=helpers.squared_error)
    W, b, history = unpack(expect, result, W0, 30, args)
    expect.true(history[-1] < history[0] and history[-1] < 0.1 * initial,
                "full-batch gradient descent on an easy problem should bring the loss far "
                f"below its initial value, but it {expect.change(history[0], history[-1])}.",
                hint="Likely causes: steps that are too big (the gradient summed over the "
                "batch instead of averaged), steps along the gradient instead of against it, "
                "or b never updated.", fn="gradient_descent", args=args, got=result)


@pytest.mark.points(1)
def test_gd_logistic_regression(student, expect, rng, helpers):
    # Separable 0/1 labels, a logistic activation and the log loss: the same update
    # rule trains a classifier (full batches, so the result does not depend on shuffling).
    X = rng.standard_normal((60, 2))
    y = ((X @ np.array([[1.5], [-2.0]]) + 0.3) > 0).astype(float)
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    args = (X, y, W0, b0, 1.0, 30, 60, helpers.log_loss, helpers.logistic)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=1.0,
                                      num_epochs=30, batch_size=60, loss_fn=helpers.log_loss,
                                      activation_fn=helpers.logistic)
    W, b, history = unpack(expect, result, W0, 30, args,
                           hint="With the log loss, nan usually means the loss got values "
                                "outside (0, 1): apply activation_fn to X @ W + b.")
    expect.true(history[-1] < 0.5 * np.log(2),
                "with activation_fn=sigmoid and the log loss, training should bring the "
                f"loss well below log(2) = 0.693; it ended at {history[-1]:.4g}.",
                hint="Is activation_fn applied to X @ W + b before computing the error, and "
                "do the steps go against the gradient?",
                fn="gradient_descent", args=args, got=result)
    accuracy = np.mean((helpers.logistic(X @ W + b) > 0.5) == (y > 0.5))
    expect.true(accuracy > 0.9, f"the trained classifier gets only {accuracy:.0%} of the "
                "training labels right.", fn="gradient_descent", args=args, got=result)


@pytest.mark.points(1)
def test_gd_loss_per_epoch_not_per_batch(student, expect, helpers):
    # Twelve identical samples in batches of 4: 3 batches per epoch, 5 epochs.
    X = np.tile([[1.0, -1.0]], (12, 1))
    y = np.full((12, 1), 2.0)
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    args = (X, y, W0, b0, 0.1, 5, 4, helpers.squared_error)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.1,
                                      num_epochs=5, batch_size=4,
                                      loss_fn=helpers.squared_error)
    W, b, history = unpack(expect, result, W0, 5, args)
    expect.true(np.all(np.diff(history) < 0),
                "the loss should fall after every epoch on this tiny problem.",
                fn="gradient_descent", args=args, got=result)


@pytest.mark.points(1)
def test_gd_recovers_true_weights(student, expect, rng, helpers):
    # Long enough training finds y = 2 x1 - x2 + 3 (the bias given with shape (1,)).
    X, y = easy_regression(rng, 60)
    W0, b0 = np.zeros((2, 1)), np.zeros(1)
    args = (X, y, W0, b0, 0.2, 50, 20, helpers.squared_error)
    result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.2,
                                      num_epochs=50, batch_size=20,
                                      loss_fn=helpers.squared_error)
    W, b, history = unpack(expect, result, W0, 50, args)
    hint = ("50 epochs on data without noise should find the weights that generated y: "
            "are W and b both updated after every batch?")
    expect.close(W, [[2.0], [-1.0]], what="the trained W", atol=1e-3, rtol=0, hint=hint,
                 fn="gradient_descent", args=args)
    expect.close(b.ravel()[0], 3.0, what="the trained b", atol=1e-3, rtol=0, hint=hint,
                 fn="gradient_descent", args=args)


def step_epoch(X, y, W, b, lr, batches):
    """One epoch of the course's update rule over ``batches``; returns W, b, loss."""
    for batch in batches:
        idx = list(batch)
        error = X[idx] @ W + b - y[idx]
        W = W - lr * X[idx].T @ error / len(idx)
        b = b - lr * np.mean(error)
    return W, b, np.mean((X @ W + b - y) ** 2)


def matching_trajectories(X, y, W0, b0, lr, batch_size, history, scales=(1.0, 2.0)):
    """(W, b) of mini-batch gradient descent (identity activation, mean squared error)
    for every order of the samples in every epoch that records ``history``; ``scales``:
    the course's step X^T e / m and the exact MSE gradient 2 X^T e / m."""
    n = len(X)
    orders = list(dict.fromkeys(
        tuple(tuple(sorted(p[s:s + batch_size])) for s in range(0, n, batch_size))
        for p in itertools.permutations(range(n))))
    out = []
    for scale in scales:
        states = [(W0, b0)]
        for recorded in history:
            states = [(W1, b1) for W, b in states for batches in orders
                      for W1, b1, loss in [step_epoch(X, y, W, b, lr * scale, batches)]
                      if np.isclose(loss, recorded, rtol=1e-6, atol=1e-9)]
        out += states
    return out


@pytest.mark.points(1)
def test_gd_batch_size_edges(student, expect, rng, helpers):
    # batch_size 1 (one step per sample), larger than n (one batch holding all), and
    # 3 samples in batches of 2 (2, then 1); 2 epochs each, in any order of the samples.
    for n, batch_size, b_shape in [(4, 1, (1, 1)), (4, 7, (1,)), (3, 2, (1, 1))]:
        X, y = rng.standard_normal((n, 2)), rng.standard_normal((n, 1))
        W0, b0 = np.zeros((2, 1)), np.zeros(b_shape)
        args = (X, y, W0, b0, 0.1, 2, batch_size, helpers.squared_error)
        result = student.gradient_descent(X.copy(), y.copy(), W0.copy(), b0.copy(), lr=0.1,
                                          num_epochs=2, batch_size=batch_size,
                                          loss_fn=helpers.squared_error)
        W, b, history = unpack(expect, result, W0, 2, args)
        if not any(np.allclose(W, W_ref, rtol=1e-6, atol=1e-9)
                   and np.allclose(b.ravel(), np.ravel(b_ref), rtol=1e-6, atol=1e-9)
                   for W_ref, b_ref in matching_trajectories(X, y, W0, b0, 0.1, batch_size,
                                                             history)):
            expect.fail(f"with {n} samples and batch_size = {batch_size}, the result does "
                        "not match mini-batch gradient descent for any order of the "
                        "samples: every sample once per epoch, the last batch holding what "
                        "is left.", fn="gradient_descent", args=args, got=result)


@pytest.mark.points(1)
def test_gd_leaves_inputs_alone(student, expect, rng, helpers):
    # W and b are updated into new arrays: the caller's X, y, W and b stay as they were.
    X, y = easy_regression(rng, 12)
    W, b = rng.standard_normal((2, 1)), np.array([[0.5]])
    before = [a.copy() for a in (X, y, W, b)]
    args = (before[0], before[1], before[2], before[3], 0.05, 3, 5, helpers.squared_error)
    student.gradient_descent(X, y, W, b, lr=0.05, num_epochs=3, batch_size=5,
                             loss_fn=helpers.squared_error)
    expect.true(np.array_equal(X, before[0]) and np.array_equal(y, before[1]),
                "gradient_descent changed the X or y you passed in.",
                hint="Shuffle an index array (np.random.permutation(n)) and use X[idx], "
                     "y[idx], instead of shuffling the caller's data in place.",
                fn="gradient_descent", args=args,
                got=(np.sort(X, axis=0), np.sort(y, axis=0)))
    if not (np.array_equal(W, before[2]) and np.array_equal(b, before[3])):
        # the same update on identical samples (the order cannot matter), to name it
        Xp, yp = np.tile([[1.0, 2.0]], (6, 1)), np.full((6, 1), 3.0)
        Wp, bp = np.zeros((2, 1)), np.zeros((1, 1))
        probe_args = (Xp.copy(), yp.copy(), Wp.copy(), bp.copy(), 0.05, 3, 4,
                      helpers.squared_error)
        try:
            student.gradient_descent(Xp, yp, Wp, bp, lr=0.05, num_epochs=3, batch_size=4,
                                     loss_fn=helpers.squared_error)
        except Exception:  # noqa: BLE001 - only for naming the mistake
            pass
        expect.fail("gradient_descent changed the W or b you passed in (an update with -= "
                    "writes into the caller's array).",
                    hint="Write W = W - lr * grad_W, which makes a new array.",
                    fn="gradient_descent", args=probe_args, got=(Wp, bp))
