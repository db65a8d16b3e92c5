"""Hidden checks for binary_cross_entropy: exact 0s and 1s, random data."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("binary_cross_entropy"), pytest.mark.visibility("hidden")]


@pytest.mark.points(2)
def test_bce_confident_and_right(student, expect):
    # Predictions of exactly 1 for label 1 and 0 for label 0: a loss of (almost) 0,
    # never nan (0 * log(0) is nan in NumPy unless log is kept away from 0).
    A = np.array([[1.0], [0.0], [1.0], [0.0]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    loss = expect.scalar(student.binary_cross_entropy(A.copy(), y.copy()),
                         what="binary_cross_entropy(A, y) for perfect 0/1 predictions",
                         fn="binary_cross_entropy", args=(A, y))
    expect.finite(loss, what="binary_cross_entropy(A, y) for perfect 0/1 predictions",
                  hint="log(0) is -inf: add a tiny epsilon (or clip A) before taking logs.",
                  fn="binary_cross_entropy", args=(A, y))
    expect.close(loss, 0.0, what="binary_cross_entropy(A, y) for perfect 0/1 predictions",
                 atol=1e-6, fn="binary_cross_entropy", args=(A, y))


@pytest.mark.points(1)
def test_bce_confident_and_wrong(student, expect):
    # Predictions of exactly 0 for label 1 and 1 for label 0: a large loss, but finite.
    A = np.array([0.0, 1.0, 0.0])
    y = np.array([1.0, 0.0, 1.0])
    loss = expect.scalar(student.binary_cross_entropy(A.copy(), y.copy()),
                         what="binary_cross_entropy(A, y) for confidently wrong predictions",
                         fn="binary_cross_entropy", args=(A, y))
    expect.finite(loss, what="binary_cross_entropy(A, y) for confidently wrong predictions",
                  hint="log(0) is -inf: add a tiny epsilon (or clip A) before taking logs.",
                  fn="binary_cross_entropy", args=(A, y))
    expect.true(loss > 10, "binary_cross_entropy(A, y) for confidently wrong predictions "
                "must be large (a wrong prediction of exactly 0 or 1 is the worst case), "
                f"but it returned {loss:.4g}.", fn="binary_cross_entropy", args=(A, y),
                got=loss)


@pytest.mark.points(1)
def test_bce_random_predictions(student, expect, rng):
    A = rng.uniform(0.05, 0.95, (30, 1))
    y = (rng.uniform(size=(30, 1)) < 0.5).astype(float)
    expected = -np.mean(y * np.log(A) + (1 - y) * np.log(1 - A))
    expect.close(student.binary_cross_entropy(A.copy(), y.copy()), expected,
                 what="binary_cross_entropy(A, y) for 30 random predictions",
                 fn="binary_cross_entropy", args=(A, y), rtol=1e-5)


@pytest.mark.points(1)
def test_bce_leaves_inputs_alone(student, expect, rng):
    # Clipping or shifting A must happen in a new array, not in the caller's A.
    A = np.array([[0.0], [0.3], [1.0], [0.8]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    A0, y0 = A.copy(), y.copy()
    student.binary_cross_entropy(A, y)
    expect.true(np.array_equal(A, A0) and np.array_equal(y, y0),
                "binary_cross_entropy changed the arrays you passed in.",
                hint="Clip into a new array (A = np.clip(A, eps, 1 - eps)), not with out=A "
                     "or A += eps.", fn="binary_cross_entropy", args=(A0, y0), got=A)
