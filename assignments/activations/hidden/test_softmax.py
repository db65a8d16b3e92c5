"""Hidden checks for softmax: other shapes, shift invariance, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("softmax"), pytest.mark.visibility("hidden")]


def reference_softmax(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(4, 10), (7, 3)], ids=["4x10", "7x3"])
def test_softmax_matches_definition(student, expect, rng, shape):
    Z = rng.normal(0, 3, shape)
    expect.close(student.softmax(Z.copy()), reference_softmax(Z),
                 what=f"softmax(Z) for Z of shape {shape}", fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_shift_invariant(student, expect, rng):
    # Adding a constant to a row does not change its probabilities.
    Z = rng.standard_normal((5, 4))
    shifted = Z + rng.uniform(-50, 50, (5, 1))
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z)", shape=Z.shape,
                     fn="softmax", args=(Z,))
    expect.true(np.allclose(A.sum(axis=1), 1.0), "softmax(Z) rows must sum to 1.",
                fn="softmax", args=(Z,), got=A)
    expect.close(student.softmax(shifted.copy()), A,
                 what="softmax(Z + c) for a per-row constant c",
                 hint="Adding the same number to every score of a row must not change "
                      "that row's probabilities.", fn="softmax", args=(shifted,))


@pytest.mark.points(1)
def test_softmax_large_scores(student, expect):
    Z = np.array([[800.0, 790.0, 810.0, 805.0], [-800.0, -790.0, -810.0, -805.0]])
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z) for large scores",
                     shape=Z.shape, fn="softmax", args=(Z,))
    expect.finite(A, what="softmax(Z) for large scores",
                  hint="Subtract each row's maximum before np.exp.", fn="softmax", args=(Z,))
    expect.close(A, reference_softmax(Z), what="softmax(Z) for large scores",
                 fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_does_not_modify_input(student, expect, rng):
    # Points only for a softmax that works: then it must also leave Z alone.
    Z = rng.standard_normal((3, 4))
    before = Z.copy()
    A = student.softmax(Z)
    expect.unchanged(Z, before, what="softmax", fn="softmax",
                     hint="For example, `Z -= np.max(Z, axis=1, keepdims=True)` shifts "
                     "Z itself: write `Z - np.max(...)` into a new array.")
    expect.close(A, reference_softmax(before), what="softmax(Z)", fn="softmax", args=(before,))


@pytest.mark.points(1)
def test_softmax_integer_input(student, expect):
    Z = np.array([[1, 2, 3], [0, 0, 0]])
    expect.close(student.softmax(Z.copy()), reference_softmax(Z.astype(float)),
                 what="softmax(Z) for integer scores", fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_widely_spread_scores(student, expect):
    # Scores 2000 apart in one row: only shifting by the row's MAXIMUM keeps np.exp
    # finite (shifting by the minimum makes exp(2000) = inf).
    Z = np.array([[-1000.0, 0.0, 1000.0], [3.0, -900.0, 2.0]])
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z) for widely spread scores",
                     shape=Z.shape, fn="softmax", args=(Z,))
    expect.finite(A, what="softmax(Z) for widely spread scores",
                  hint="Subtract each row's maximum (np.max(Z, axis=1, keepdims=True)) "
                       "before np.exp.", fn="softmax", args=(Z,))
    expect.close(A, reference_softmax(Z), what="softmax(Z) for widely spread scores",
                 fn="softmax", args=(Z,))
