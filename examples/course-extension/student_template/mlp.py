"""mlp.py: a multi-layer perceptron's forward pass, built on your toolkit.

Write forward_mlp below. It uses relu and softmax from your neural_network.py
(keep that file beside this one): do not copy them here, import them.
"""

from __future__ import annotations

from typing import Dict

import numpy as np
from numpy.typing import NDArray

from neural_network import relu, softmax

Array = NDArray[np.floating]


def forward_mlp(X: Array, params: Dict[str, Array]) -> Array:
    """The forward pass of a two-layer perceptron: probabilities for each sample.

    The hidden layer is relu(X @ W1 + b1); the output layer turns
    hidden @ W2 + b2 into probabilities with softmax.

    Args:
        X: inputs of shape (n_samples, n_features).
        params: the weights, a dict with four arrays:
            "W1" of shape (n_features, n_hidden), "b1" of shape (n_hidden,),
            "W2" of shape (n_hidden, n_classes), "b2" of shape (n_classes,).

    Returns:
        Array of shape (n_samples, n_classes): each row sums to 1. Neither X
        nor the arrays in params are modified.
    """
    raise NotImplementedError("Write forward_mlp here")
