"""Known mistakes: wrong implementations students really write, with a name.

When a check fails, the grader runs the variants registered here for that
function on the check's own input (on the trusted side) and, if one returns
exactly what the student returned, the failure message names the mistake in
the student's terms. Course content: never shipped to students.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

MISTAKES: dict[str, list[tuple[str, Callable[..., Any]]]] = {}


def mistake(function: str, message: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a wrong implementation of ``function`` and what to tell the student."""
    def register(wrong: Callable[..., Any]) -> Callable[..., Any]:
        MISTAKES.setdefault(function, []).append((message, wrong))
        return wrong
    return register


# ------------------------------------------------------------------ relu

@mistake("relu", "relu returns the True/False mask (Z > 0) instead of the values: "
                 "use np.maximum(0, Z).")
def relu_mask(Z):
    return Z > 0


@mistake("relu", "relu keeps the negative values and zeroes the positive ones: "
                 "the comparison is the wrong way round.")
def relu_inverted(Z):
    return np.minimum(0, Z)


# ------------------------------------------------------------------ softmax

@mistake("softmax", "your softmax normalises each column, not each row "
                    "(axis=0 instead of axis=1).")
def softmax_axis0(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


@mistake("softmax", "your softmax divides by the sum of the whole array, not by each "
                    "row's sum: use np.sum(..., axis=1, keepdims=True).")
def softmax_global_sum(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e)


@mistake("softmax", "your softmax calls np.exp on the raw scores, which overflows for large "
                    "scores: subtract each row's maximum first.")
def softmax_no_max_shift(Z):
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        return e / np.sum(e, axis=1, keepdims=True)


@mistake("softmax", "your softmax subtracts the maximum of the whole array instead of each "
                    "row's maximum (use np.max(Z, axis=1, keepdims=True)).")
def softmax_global_max(Z):
    with np.errstate(all="ignore"):
        e = np.exp(Z - np.max(Z))
        return e / np.sum(e, axis=1, keepdims=True)


@mistake("softmax", "your softmax sums without keepdims=True, so the division lines up "
                    "with the wrong axis.")
def softmax_no_keepdims(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1)
