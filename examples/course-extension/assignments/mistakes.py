"""Known mistakes of this example course, in the style of the course's own
assignments/mistakes.py: a wrong implementation students really write, with a
message naming the mistake (what the code does) and a hint (how to fix it).

When a check fails at grading with ``fn="forward_mlp"``, each variant below
runs on the check's input; the first whose output matches the student's names
the mistake. Course content: never shipped to students.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

MISTAKES: dict[str, list[tuple[str, Callable[..., Any]]]] = {}


def mistake(function: str, message: str,
            hint: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a wrong implementation of ``function`` and what to tell the student."""
    def register(wrong: Callable[..., Any]) -> Callable[..., Any]:
        wrong.hint = hint  # type: ignore[attr-defined]
        MISTAKES.setdefault(function, []).append((message, wrong))
        return wrong
    return register


def _softmax(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


# ------------------------------------------------------------------ forward_mlp

@mistake("forward_mlp", "forward_mlp adds b1 after relu, so a negative bias can make "
         "hidden units negative.",
         hint="The hidden layer is relu(X @ W1 + b1): add b1 inside relu.")
def forward_mlp_bias_after_relu(X, params):
    hidden = np.maximum(0, X @ params["W1"]) + params["b1"]
    return _softmax(hidden @ params["W2"] + params["b2"])


@mistake("forward_mlp", "forward_mlp skips relu: the hidden layer keeps its negative "
         "values, so the two layers act like one linear layer.",
         hint="Pass X @ W1 + b1 through relu before the output layer.")
def forward_mlp_no_relu(X, params):
    hidden = X @ params["W1"] + params["b1"]
    return _softmax(hidden @ params["W2"] + params["b2"])


@mistake("forward_mlp", "forward_mlp gives the output scores, not probabilities: softmax "
         "is missing at the end.",
         hint="Apply softmax to hidden @ W2 + b2.")
def forward_mlp_no_softmax(X, params):
    hidden = np.maximum(0, X @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


@mistake("forward_mlp", "forward_mlp also applies relu to the output scores, so every "
         "negative score counts as 0 before softmax.",
         hint="relu belongs to the hidden layer only; the output layer is softmax alone.")
def forward_mlp_relu_on_output(X, params):
    hidden = np.maximum(0, X @ params["W1"] + params["b1"])
    return _softmax(np.maximum(0, hidden @ params["W2"] + params["b2"]))
