"""Public helper functions that checks may pass to student code by name.

A check that calls ``student.gradient_descent(..., loss_fn=helpers.squared_error)``
sends the name ``"helper:squared_error"``; the sandbox worker resolves it to the
function below. They are deliberately simple and public: nothing here is a
course solution that students are asked to write (the graded versions of
these live in each student's own file). They behave like the course's own
functions: a loss returns a NumPy floating scalar as ``np.mean`` does, an
activation returns an array. Self-contained: stdlib + numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def identity(Z: Any) -> Any:
    """Return Z unchanged."""
    return Z


def logistic(Z: Any) -> Any:
    """A numerically safe logistic function (for passing as activation_fn)."""
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def squared_error(y_pred: Any, y: Any) -> np.floating:
    """Mean squared error (for passing as loss_fn).

    Like the course's mse_loss, returns what np.mean returns: a NumPy floating
    scalar (not a Python float), so student code may call ``.item()`` or
    ``.copy()`` on it as it could on the course's own losses.
    """
    loss: np.floating = np.mean((np.asarray(y_pred) - np.asarray(y)) ** 2)
    return loss


def log_loss(A: Any, y: Any) -> np.floating:
    """Binary cross-entropy with a 1e-15 guard (for passing as loss_fn), a NumPy
    floating scalar like the course's binary_cross_entropy."""
    A = np.asarray(A, dtype=float)
    loss: np.floating = -np.mean(y * np.log(A + 1e-15) + (1 - y) * np.log(1 - A + 1e-15))
    return loss


def quartic_error(y_pred: Any, y: Any) -> np.floating:
    """Mean fourth power of the error: a strongly curved loss (a NumPy floating
    scalar, like the course's losses)."""
    loss: np.floating = np.mean((np.asarray(y_pred) - np.asarray(y)) ** 4)
    return loss


def linear_forward(X: Any, params: dict[str, Any]) -> Any:
    """X @ params["W"] + params["b"] (for passing as forward_fn)."""
    return X @ params["W"] + params["b"]


def logistic_forward(X: Any, params: dict[str, Any]) -> Any:
    """logistic(X @ W + b): the perceptron's forward pass (for passing as forward_fn
    together with log_loss, a loss that is not symmetric in its arguments)."""
    return logistic(X @ params["W"] + params["b"])


def tanh_forward(X: Any, params: dict[str, Any]) -> Any:
    """tanh(X @ W + b): a non-linear forward pass (for passing as forward_fn)."""
    return np.tanh(X @ params["W"] + params["b"])


HELPERS = {
    name: obj for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", None) == __name__
}
