"""Public checks for sigmoid: the logistic function 1 / (1 + e^-z)."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("sigmoid"), pytest.mark.visibility("public")]


@pytest.mark.points(3)
def test_sigmoid_known_values(student, expect):
    # sigmoid(0) = 0.5, sigmoid(2) = 0.8808, sigmoid(-2) = 0.1192.
    Z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    expect.close(student.sigmoid(Z.copy()), 1.0 / (1.0 + np.exp(-Z)),
                 what="sigmoid(Z) for Z = [-2, -1, 0, 1, 2]",
                 hint="sigmoid(z) = 1 / (1 + np.exp(-z)); sigmoid(0) must be 0.5 and large "
                      "z must give values near 1.", fn="sigmoid", args=(Z,))


@pytest.mark.points(1)
def test_sigmoid_matrix_in_range(student, expect, rng):
    # Applied element-wise to a 4x3 matrix of scores: same shape, values in [0, 1].
    Z = rng.normal(0.0, 3.0, (4, 3))
    A = expect.array(student.sigmoid(Z.copy()), what="sigmoid(Z)", shape=(4, 3),
                     fn="sigmoid", args=(Z,))
    expect.true(np.all((A >= 0) & (A <= 1)),
                f"every value of sigmoid(Z) must lie in [0, 1]; got values from "
                f"{A.min():.4g} to {A.max():.4g}.", fn="sigmoid", args=(Z,), got=A)
    expect.close(A, 1.0 / (1.0 + np.exp(-Z)), what="sigmoid(Z)", fn="sigmoid", args=(Z,))
