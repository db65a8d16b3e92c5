"""Public checks for numerical_gradient: central differences on a linear model."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("numerical_gradient"), pytest.mark.visibility("public")]


def linear_problem(rng):
    X = rng.standard_normal((6, 2))
    y = rng.standard_normal((6, 1))
    params = {"W": rng.standard_normal((2, 1)), "b": np.array([[0.5]])}
    return X, y, params


def copy_params(params):
    return {name: params[name].copy() for name in params}


def unpack(expect, grads, params, args):
    """The result must be a dict with one gradient per parameter, of the same shape."""
    expect.true(isinstance(grads, dict) and set(grads) == set(params),
                "numerical_gradient should return a dict with one gradient per parameter "
                f"(keys {sorted(params)}), but it returned "
                + (f"a dict with keys {sorted(grads)}" if isinstance(grads, dict)
                   else f"a {type(grads).__name__}") + ".",
                fn="numerical_gradient", args=args, got=grads)
    return {name: expect.array(grads[name], what=f"the gradient of {name}",
                               shape=params[name].shape, fn="numerical_gradient", args=args)
            for name in params}


@pytest.mark.points(3)
def test_ng_linear_model_mse(student, expect, rng, helpers):
    # For y_pred = X W + b and the mean squared error, the gradient is known exactly:
    # dL/dW = 2/n X^T e and dL/db = 2 mean(e), with e = y_pred - y.
    X, y, params = linear_problem(rng)
    args = (X, y, copy_params(params), helpers.squared_error, helpers.linear_forward)
    student_grads = student.numerical_gradient(X.copy(), y.copy(), copy_params(params),
                                               helpers.squared_error, helpers.linear_forward)
    grads = unpack(expect, student_grads, params, args)
    e = X @ params["W"] + params["b"] - y
    expected = {"W": 2 * X.T @ e / len(y), "b": np.array([[2 * e.mean()]])}
    for name in ("W", "b"):
        try:
            expect.close(grads[name], expected[name], what=f"the numerical gradient of {name}",
                         rtol=1e-6, atol=1e-6,
                         hint="For each entry: nudge it by +h and -h inside params, compute "
                              "the loss each time, and divide the difference by 2h.")
        except AssertionError as failure:
            # fail again with the whole dict, so a known mistake can be recognised
            expect.fail(str(failure), hint=getattr(failure, "hint", ""),
                        fn="numerical_gradient", args=args, got=student_grads)


@pytest.mark.points(1)
def test_ng_gradient_dict_and_params_restored(student, expect, rng, helpers):
    # A dict in, a dict out: same keys, each gradient shaped like its parameter; the
    # entries nudged along the way are all back to their values afterwards.
    X = rng.standard_normal((4, 3))
    y = rng.standard_normal((4, 1))
    params = {"W": rng.standard_normal((3, 1)), "b": np.zeros((1, 1))}
    args = (X, y, copy_params(params), helpers.squared_error, helpers.linear_forward)
    passed = copy_params(params)
    grads = student.numerical_gradient(X.copy(), y.copy(), passed, helpers.squared_error,
                                       helpers.linear_forward)
    for name in params:
        expect.true(np.array_equal(passed[name], params[name]),
                    f"numerical_gradient left params[{name!r}] changed: it is "
                    f"{passed[name].ravel()} instead of {params[name].ravel()}.",
                    hint="After computing L(p + h) and L(p - h) for an entry, put its "
                    "original value back.", fn="numerical_gradient")
    unpack(expect, grads, params, args)
