"""Hidden checks for numerical_gradient: curved losses, matrix weights, params kept."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("numerical_gradient"), pytest.mark.visibility("hidden")]


def copy_params(params):
    return {name: value.copy() for name, value in params.items()}


def analytic_gradient(X, y, params, loss, forward):
    """The exact gradient of quartic/squared error for a linear or tanh model."""
    Z = X @ params["W"] + params["b"]
    pred = np.tanh(Z) if forward == "tanh" else Z
    e = pred - y
    d_pred = (4 * e ** 3 if loss == "quartic" else 2 * e) / e.size
    d_Z = d_pred * (1 - pred ** 2) if forward == "tanh" else d_pred
    return {"W": X.T @ d_Z, "b": d_Z.sum(axis=0).reshape(params["b"].shape)}


def check_gradients(student, expect, helpers, X, y, params, loss, forward):
    loss_fn = helpers.quartic_error if loss == "quartic" else helpers.squared_error
    forward_fn = helpers.tanh_forward if forward == "tanh" else helpers.linear_forward
    args = (X, y, copy_params(params), loss_fn, forward_fn)
    grads = student.numerical_gradient(X.copy(), y.copy(), copy_params(params), loss_fn,
                                       forward_fn)
    expect.true(isinstance(grads, dict) and set(grads) == set(params),
                f"numerical_gradient should return a dict with keys {sorted(params)}.",
                fn="numerical_gradient", args=args, got=grads)
    expected = analytic_gradient(X, y, params, loss, forward)
    for name in params:
        try:
            expect.close(grads[name], expected[name],
                         what=f"the numerical gradient of {name} ({loss} loss, {forward} "
                              "model)", rtol=1e-6, atol=1e-6,
                         hint="Each entry is (L(p + h) - L(p - h)) / (2h), with the entry "
                              "nudged inside params so that forward_fn sees it; on a curved "
                              "loss the one-sided (L(p + h) - L(p)) / h is not accurate "
                              "enough.")
        except AssertionError as failure:
            # fail again with the whole dict, so a known mistake can be recognised
            expect.fail(str(failure), hint=getattr(failure, "hint", ""),
                        fn="numerical_gradient", args=args, got=grads)


@pytest.mark.points(2)
def test_ng_quartic_loss_linear_model(student, expect, rng, helpers):
    # mean(e^4) curves strongly: only a central difference is accurate to ~1e-6.
    X = rng.standard_normal((8, 2))
    y = rng.standard_normal((8, 1))
    params = {"W": rng.standard_normal((2, 1)), "b": np.array([[0.3]])}
    check_gradients(student, expect, helpers, X, y, params, "quartic", "linear")


@pytest.mark.points(1)
def test_ng_quartic_loss_tanh_model(student, expect, rng, helpers):
    X = rng.standard_normal((8, 3))
    y = rng.uniform(-0.9, 0.9, (8, 1))
    params = {"W": rng.standard_normal((3, 1)), "b": np.array([[-0.2]])}
    check_gradients(student, expect, helpers, X, y, params, "quartic", "tanh")


@pytest.mark.points(1)
def test_ng_matrix_weights(student, expect, rng, helpers):
    # W of shape (3, 2) and b of shape (1, 2): every entry of every row is nudged.
    X = rng.standard_normal((5, 3))
    y = rng.standard_normal((5, 2))
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal((1, 2))}
    check_gradients(student, expect, helpers, X, y, params, "squared", "linear")


@pytest.mark.points(1)
def test_ng_leaves_params_unchanged(student, expect, rng, helpers):
    # params is nudged in place while computing, but must be restored at the end.
    X = rng.standard_normal((6, 2))
    y = rng.standard_normal((6, 1))
    params = {"W": rng.standard_normal((2, 1)), "b": np.array([[0.25]])}
    before = copy_params(params)
    student.numerical_gradient(X, y, params, helpers.quartic_error, helpers.linear_forward)
    changed = [name for name in before if not np.array_equal(params[name], before[name])]
    expect.true(not changed,
                f"numerical_gradient left params[{changed[0] if changed else ''!r}] changed.",
                hint="After computing L(p + h) and L(p - h) for an entry, put its original "
                "value back, so the caller's parameters are as they were.",
                fn="numerical_gradient")


@pytest.mark.points(1)
def test_ng_log_loss_logistic_model(student, expect, rng, helpers):
    # The log loss is not symmetric: loss_fn(y_pred, y) and loss_fn(y, y_pred) differ.
    # For A = sigmoid(X W + b) its exact gradient is dL/dZ = (A - y) / n.
    X = rng.standard_normal((8, 2))
    y = (rng.uniform(size=(8, 1)) < 0.5).astype(float)
    params = {"W": rng.normal(0, 0.5, (2, 1)), "b": np.array([[0.1]])}
    args = (X, y, copy_params(params), helpers.log_loss, helpers.logistic_forward)
    grads = student.numerical_gradient(X.copy(), y.copy(), copy_params(params),
                                       helpers.log_loss, helpers.logistic_forward)
    expect.true(isinstance(grads, dict) and set(grads) == set(params),
                f"numerical_gradient should return a dict with keys {sorted(params)}.",
                fn="numerical_gradient", args=args, got=grads)
    A = 1.0 / (1.0 + np.exp(-(X @ params["W"] + params["b"])))
    d_Z = (A - y) / len(y)
    expected = {"W": X.T @ d_Z, "b": d_Z.sum(axis=0, keepdims=True)}
    for name in params:
        try:
            expect.close(grads[name], expected[name],
                         what=f"the numerical gradient of {name} (log loss, logistic model)",
                         rtol=1e-5, atol=1e-7,
                         hint="Call loss_fn(forward_fn(X, params), y): predictions first, "
                              "targets second.")
        except AssertionError as failure:
            expect.fail(str(failure), fn="numerical_gradient", args=args, got=grads)
