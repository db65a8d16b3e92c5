"""Hidden checks for softmax: other shapes, shift invariance, huge scores, the input."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("softmax"), pytest.mark.visibility("hidden")]


def reference_softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(7, 3), (1, 6), (5, 5)], ids=["7x3", "1x6", "5x5"])
def test_softmax_other_shapes(student, expect, rng, shape):
    Z = rng.normal(0, 3, shape)
    expect.close(student.softmax(Z.copy()), reference_softmax(Z),
                 what=f"softmax(Z) for Z of shape {shape}", fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_row_shift_invariant(student, expect, rng):
    # Adding a constant to every score of a row does not change its probabilities.
    Z = rng.standard_normal((5, 4))
    shifted = Z + rng.uniform(-50, 50, (5, 1))
    expect.close(student.softmax(shifted.copy()), reference_softmax(Z),
                 what="softmax(Z + c) for a per-row constant c",
                 hint="Adding the same number to every score of a row must not change "
                      "that row's probabilities.", fn="softmax", args=(shifted,))


@pytest.mark.points(1)
def test_softmax_huge_mixed_scores(student, expect):
    # Large scores that differ: still finite and still the right probabilities.
    Z = np.array([[800.0, 790.0, 810.0, 805.0], [-800.0, -790.0, -810.0, -805.0]])
    A = expect.array(student.softmax(Z.copy()), what="softmax(Z) for large scores",
                     shape=Z.shape, fn="softmax", args=(Z,))
    expect.finite(A, what="softmax(Z) for large scores",
                  hint="Subtract each row's maximum before np.exp.", fn="softmax", args=(Z,))
    expect.close(A, reference_softmax(Z), what="softmax(Z) for large scores",
                 fn="softmax", args=(Z,))


@pytest.mark.points(1)
def test_softmax_leaves_input_alone(student, expect, rng):
    Z = rng.standard_normal((3, 4))
    before = Z.copy()
    student.softmax(Z)
    expect.true(np.array_equal(Z, before),
                "softmax changed the Z you passed in.", hint="Compute Z - max into a new "
                "array (Z -= max changes the caller's scores).", fn="softmax", args=(before,),
                got=Z)


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
