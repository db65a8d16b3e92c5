"""neural_network.py: the two activation functions the example part builds on.

Reference implementation (instructor only). In a real course this file is
the whole toolkit; the example keeps only what mlp.py imports from it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def relu(Z: Array) -> Array:
    """Apply the rectified linear unit max(0, z) element-wise.

    Args:
        Z: array of any shape.

    Returns:
        A new array of the same shape as Z: negative values replaced by 0,
        the others unchanged. Z is not modified.
    """
    ### BEGIN SOLUTION
    return np.maximum(0, Z)
    ### END SOLUTION


def softmax(Z: Array) -> Array:
    """Turn each row of scores into probabilities.

    Args:
        Z: scores of shape (n_samples, n_classes).

    Returns:
        Array of shape (n_samples, n_classes); every value lies in (0, 1] and
        every row sums to 1.
    """
    ### BEGIN SOLUTION
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    exp_scores = np.exp(shifted)
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    ### END SOLUTION
