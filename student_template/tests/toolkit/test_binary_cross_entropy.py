"""Public checks for binary_cross_entropy: the loss of a binary classifier."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("binary_cross_entropy"), pytest.mark.visibility("public")]


def reference_bce(A, y):
    return -np.mean(y * np.log(A) + (1 - y) * np.log(1 - A))


@pytest.mark.points(2)
def test_bce_small_example(student, expect):
    # -mean(log 0.9, log 0.8, log 0.7, log 0.6) = 0.2362.
    A = np.array([0.9, 0.2, 0.7, 0.4])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    expect.close(student.binary_cross_entropy(A.copy(), y.copy()), reference_bce(A, y),
                 what="binary_cross_entropy(A, y) for A = [0.9, 0.2, 0.7, 0.4], "
                      "y = [1, 0, 1, 0]",
                 hint="BCE = -mean(y * log(A) + (1 - y) * log(1 - A)): note the minus sign "
                      "and the mean.", fn="binary_cross_entropy", args=(A, y), rtol=1e-5)


@pytest.mark.points(2)
def test_bce_column_vectors(student, expect):
    # Probabilities and labels as (n, 1) columns, as forward_perceptron produces them.
    A = np.array([[0.95], [0.1], [0.5], [0.8], [0.3]])
    y = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])
    expect.close(student.binary_cross_entropy(A.copy(), y.copy()), reference_bce(A, y),
                 what="binary_cross_entropy(A, y) for (5, 1) columns",
                 hint="The loss is one number: the mean over all samples.",
                 fn="binary_cross_entropy", args=(A, y), rtol=1e-5)


@pytest.mark.points(1)
def test_bce_returns_one_number(student, expect, rng):
    # For (n,), (n, 1) and (n, k) arrays alike the loss is ONE number, as np.mean gives.
    for shape in [(6,), (6, 1), (6, 3)]:
        A = rng.uniform(0.05, 0.95, shape)
        y = (rng.uniform(size=shape) < 0.5).astype(float)
        what = f"binary_cross_entropy(A, y) for arrays of shape {shape}"
        loss = expect.number(student.binary_cross_entropy(A.copy(), y.copy()), what=what,
                             fn="binary_cross_entropy", args=(A, y))
        if len(shape) == 1 or shape[1] == 1:  # the docstring's shapes: also the value
            expect.close(loss, reference_bce(A, y), what=what, fn="binary_cross_entropy",
                         args=(A, y), rtol=1e-5)
