"""Public checks for softmax: the exercises of Part 3.2."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("softmax"), pytest.mark.visibility("public")]


def reference_softmax(Z):
    # the definition; the scores here are small, so np.exp cannot overflow
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.points(1)
def test_softmax_probabilities_in_range(student, expect, rng):
    # Exercise 2: random scores for 3 samples and 5 classes become probabilities.
    Z = rng.standard_normal((3, 5))
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z)", shape=(3, 5),
                     fn="softmax", args=(Z,))
    expect.finite(A, what="softmax(Z)", fn="softmax", args=(Z,))
    expect.true(np.all((A > 0) & (A <= 1)),
                f"every probability must lie in (0, 1]; got values from {A.min():.4g} "
                f"to {A.max():.4g}.", fn="softmax", args=(Z,), got=A)


@pytest.mark.points(1)
def test_softmax_rows_sum_to_one(student, expect, rng):
    # Exercise 2 again: each row (one sample) is a distribution over the classes.
    Z = rng.standard_normal((3, 5))
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z)", shape=(3, 5),
                     fn="softmax", args=(Z,))
    sums = A.sum(axis=1)
    expect.true(np.allclose(sums, 1.0),
                f"each row of softmax(Z) must sum to 1, but the rows sum to "
                f"[{', '.join(f'{s:.4g}' for s in sums)}].",
                hint="Did you divide by the sum over axis=1 (with keepdims=True)?",
                fn="softmax", args=(Z,), got=A)
    expect.close(A, reference_softmax(Z), what="softmax(Z)", fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_extreme_scores(student, expect):
    # Exercise 4: scores of +-1000 must not overflow; equal scores give 1/3 each.
    Z = np.array([[1000, 1000, 1000], [-1000, -1000, -1000]])
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z) for scores of +-1000",
                     shape=(2, 3), fn="softmax", args=(Z,))
    expect.finite(A, what="softmax(Z) for scores of +-1000",
                  hint="np.exp(1000) overflows: subtract each row's maximum first.",
                  fn="softmax", args=(Z,))
    expect.close(A, np.full((2, 3), 1 / 3), what="softmax(Z) for scores of +-1000",
                 hint="Equal scores in a row give equal probabilities: 1/3 each.",
                 fn="softmax", args=(Z,), atol=1e-12)
