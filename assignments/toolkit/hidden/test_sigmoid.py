"""Hidden checks for sigmoid: symmetry, huge inputs, other shapes, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("sigmoid"), pytest.mark.visibility("hidden")]


def reference_sigmoid(Z):
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@pytest.mark.points(1)
def test_sigmoid_symmetry(student, expect, rng):
    # sigmoid(-z) = 1 - sigmoid(z).
    Z = rng.normal(0.0, 2.0, (6, 2))
    A = expect.array(student.sigmoid(Z.copy()), what="sigmoid(Z)", shape=Z.shape,
                     fn="sigmoid", args=(Z,))
    expect.close(student.sigmoid(-Z), 1.0 - A, what="sigmoid(-Z)",
                 hint="sigmoid(-z) must equal 1 - sigmoid(z).", fn="sigmoid", args=(-Z,))


@pytest.mark.points(1)
def test_sigmoid_huge_inputs(student, expect):
    # np.exp(1000) is inf, yet sigmoid must stay finite: 0 for -1000, 1 for +1000.
    Z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    A = expect.array(student.sigmoid(Z.copy()), what="sigmoid(Z) for very large |Z|",
                     shape=Z.shape, fn="sigmoid", args=(Z,))
    expect.finite(A, what="sigmoid(Z) for very large |Z|",
                  hint="Very large |z| must give values close to 0 or 1, never nan.",
                  fn="sigmoid", args=(Z,))
    expect.true(np.all((A >= 0) & (A <= 1)), "sigmoid(Z) for very large |Z| left the range [0, 1].",
                fn="sigmoid", args=(Z,), got=A)
    expect.close(A, reference_sigmoid(Z), what="sigmoid(Z) for very large |Z|", atol=1e-12,
                 fn="sigmoid", args=(Z,))


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4)], ids=["1d", "3d"])
def test_sigmoid_other_shapes(student, expect, rng, shape):
    Z = rng.normal(0.0, 4.0, shape)
    expect.close(student.sigmoid(Z.copy()), reference_sigmoid(Z),
                 what=f"sigmoid(Z) for a {len(shape)}-D input", fn="sigmoid", args=(Z,))


@pytest.mark.points(1)
def test_sigmoid_does_not_modify_input(student, expect, rng):
    Z = rng.normal(0.0, 2.0, (5, 3))
    before = Z.copy()
    student.sigmoid(Z)
    expect.true(np.array_equal(Z, before),
                "sigmoid changed the Z you passed in.",
                hint="Return a new array and leave Z as it was.", fn="sigmoid",
                args=(before,), got=Z)


@pytest.mark.points(1)
def test_sigmoid_integer_input(student, expect):
    # Integer scores give float probabilities (not values truncated to 0 or 1).
    Z = np.array([[-3, -1, 0], [1, 2, 5]])
    expect.close(student.sigmoid(Z.copy()), reference_sigmoid(Z.astype(float)),
                 what="sigmoid(Z) for integer Z",
                 hint="The result must be floats: an array made with np.zeros_like(Z) for "
                      "integer Z holds integers.", fn="sigmoid", args=(Z,))
