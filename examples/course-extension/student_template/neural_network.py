"""neural_network.py: your NumPy deep-learning toolkit.

You write this file during the course, one function at a time. Every function
below has its signature and a docstring saying what goes in and what comes out
(with shapes); its body only raises NotImplementedError. Replace that line with
your code. Keep the names and signatures as they are: the checks call them.
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
