"""neural_network.py: your NumPy deep-learning toolkit.

You write this file during the course, one function at a time. Every function
below has its signature and a docstring saying what goes in and what comes out
(with shapes); its body only raises NotImplementedError. Replace that line with
your code. Keep the names and signatures as they are: the checks call them.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Tuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]
LossFn = Callable[[Array, Array], float]
ActivationFn = Callable[[Array], Array]
ForwardFn = Callable[[Array, Dict[str, Array]], Array]


def _identity(Z: Array) -> Array:
    """Return Z unchanged (the default activation of ``gradient_descent``)."""
    return Z


def normalize(X: Array) -> Array:
    """Standardise every column of X to mean 0 and standard deviation 1.

    Args:
        X: data of shape (n_samples, n_features).

    Returns:
        A new array of shape (n_samples, n_features). A constant column (std 0)
        is only mean-subtracted, so it becomes all zeros. X is not modified.
    """
    raise NotImplementedError("Write normalize here")


def matrix_multiply(X: Array, W: Array) -> Array:
    """Multiply two matrices.

    Args:
        X: array of shape (m, n).
        W: array of shape (n, p).

    Returns:
        X @ W, of shape (m, p).
    """
    raise NotImplementedError("Write matrix_multiply here")


def sigmoid(Z: Array) -> Array:
    """Apply the logistic function 1 / (1 + e^-z) element-wise.

    Args:
        Z: array of any shape.

    Returns:
        Array of the same shape as Z, every value in [0, 1].
    """
    raise NotImplementedError("Write sigmoid here")


def relu(Z: Array) -> Array:
    """Apply the rectified linear unit max(0, z) element-wise.

    Args:
        Z: array of any shape.

    Returns:
        A new array of the same shape as Z: negative values replaced by 0,
        the others unchanged. Z is not modified.
    """
    raise NotImplementedError("Write relu here")


def softmax(Z: Array) -> Array:
    """Turn each row of scores into probabilities.

    Args:
        Z: scores of shape (n_samples, n_classes).

    Returns:
        Array of shape (n_samples, n_classes); every value lies in (0, 1] and
        every row sums to 1.
    """
    raise NotImplementedError("Write softmax here")


def mse_loss(y_pred: Array, y: Array) -> float:
    """Mean squared error between predictions and targets.

    Args:
        y_pred: predictions of shape (n,) or (n, 1).
        y: targets of the same shape as y_pred.

    Returns:
        The mean of (y_pred - y)^2, a single float.
    """
    raise NotImplementedError("Write mse_loss here")


def binary_cross_entropy(A: Array, y: Array) -> float:
    """Binary cross-entropy between predicted probabilities and 0/1 labels.

    Args:
        A: predicted probabilities of shape (n,) or (n, 1), values in [0, 1].
        y: labels of the same shape as A, values in {0, 1}.

    Returns:
        -mean(y log A + (1 - y) log(1 - A)), a single float.
    """
    raise NotImplementedError("Write binary_cross_entropy here")


def gradient_descent(
    X: Array,
    y: Array,
    W: Array,
    b: Array,
    lr: float,
    num_epochs: int,
    batch_size: int,
    loss_fn: LossFn,
    activation_fn: ActivationFn = _identity,
) -> Tuple[Array, Array, List[float]]:
    """Train W and b with mini-batch gradient descent.

    Args:
        X: inputs of shape (n_samples, n_features).
        y: targets of shape (n_samples, 1).
        W: initial weights of shape (n_features, 1).
        b: initial bias of shape (1,) or (1, 1).
        lr: learning rate.
        num_epochs: number of passes over the shuffled data.
        batch_size: samples per mini-batch (the last batch may be smaller).
        loss_fn: loss_fn(y_pred, y) -> float, used to record the loss.
        activation_fn: applied to X @ W + b (default: identity).

    Returns:
        (W, b, loss_history): the trained weights (n_features, 1), the trained
        bias (same shape as b), and one loss per epoch, computed on all of X
        after that epoch (num_epochs floats).
    """
    raise NotImplementedError("Write gradient_descent here")


def numerical_gradient(
    X: Array,
    y: Array,
    params: Dict[str, Array],
    loss_fn: LossFn,
    forward_fn: ForwardFn,
    h: float = 1e-4,
) -> Dict[str, Array]:
    """Estimate d loss / d param for every parameter by central differences.

    Args:
        X: inputs of shape (n_samples, n_features).
        y: targets of shape (n_samples, 1).
        params: name -> parameter array, e.g. {"W": (n_features, 1), "b": (1, 1)}.
            Each entry is nudged in place and restored before returning.
        loss_fn: loss_fn(y_pred, y) -> float.
        forward_fn: forward_fn(X, params) -> y_pred of shape (n_samples, 1).
        h: the nudge size.

    Returns:
        name -> gradient array of the same shape as params[name], each entry
        (loss(p + h) - loss(p - h)) / (2h).
    """
    raise NotImplementedError("Write numerical_gradient here")


def forward_perceptron(X: Array, W: Array, b: Array) -> Array:
    """Forward pass of a single-layer perceptron: sigmoid(X @ W + b).

    Args:
        X: inputs of shape (n_samples, n_features).
        W: weights of shape (n_features, 1).
        b: bias of shape (1,) or (1, 1).

    Returns:
        Probabilities of shape (n_samples, 1).
    """
    raise NotImplementedError("Write forward_perceptron here")
