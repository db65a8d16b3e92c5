"""Hidden checks for gradient_descent: full batches, logistic regression, convergence."""

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


@pytest.mark.points(2)
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


@pytest.mark.points(2)
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
