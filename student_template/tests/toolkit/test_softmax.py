"""Public checks for softmax: the examples and exercises of Part 3.2."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("softmax"), pytest.mark.visibility("public")]


def reference_softmax(Z):
    # the definition; the scores here are small, so np.exp cannot overflow
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.points(1)
def test_softmax_mnist_like_scores(student, expect, rng):
    # The worked example: 4 samples, 10 classes; each row becomes a distribution.
    Z = rng.standard_normal((4, 10))
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z)", shape=(4, 10),
                     fn="softmax", args=(Z,))
    sums = A.sum(axis=1)
    expect.true(np.allclose(sums, 1.0),
                f"each row of softmax(Z) must sum to 1, but the rows sum to "
                f"[{', '.join(f'{s:.4g}' for s in sums)}].",
                hint="Divide by the sum over axis=1 (with keepdims=True).",
                fn="softmax", args=(Z,), got=A)
    expect.close(A, reference_softmax(Z), what="softmax(Z)", fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_exercise_probabilities(student, expect, rng):
    # Exercise 2: 3 samples, 5 classes; every value is a probability in (0, 1].
    Z = rng.standard_normal((3, 5))
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z)", shape=(3, 5),
                     fn="softmax", args=(Z,))
    expect.true(np.all((A > 0) & (A <= 1)),
                f"every probability must lie in (0, 1]; got values from {A.min():.4g} "
                f"to {A.max():.4g}.", fn="softmax", args=(Z,), got=A)


@pytest.mark.points(1)
def test_softmax_exercise_extreme_scores(student, expect):
    # Exercise 4: scores of +-1000 must not overflow; equal scores give 1/3 each.
    Z = np.array([[1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -1000.0]])
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z) for scores of +-1000",
                     shape=(2, 3), fn="softmax", args=(Z,))
    expect.finite(A, what="softmax(Z) for scores of +-1000",
                  hint="np.exp(1000) overflows: subtract each row's maximum first.",
                  fn="softmax", args=(Z,))
    expect.close(A, np.full((2, 3), 1 / 3), what="softmax(Z) for scores of +-1000",
                 hint="Equal scores in a row give equal probabilities: 1/3 each.",
                 fn="softmax", args=(Z,), atol=1e-12)
