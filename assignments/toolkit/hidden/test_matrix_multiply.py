"""Hidden checks for matrix_multiply: non-square shapes, vectors, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("matrix_multiply"), pytest.mark.visibility("hidden")]


@pytest.mark.points(1)
@pytest.mark.parametrize("m,n,p", [(1, 4, 3), (5, 2, 7), (6, 6, 6)],
                         ids=["1x4_by_4x3", "5x2_by_2x7", "6x6_by_6x6"])
def test_matrix_multiply_shapes(student, expect, rng, m, n, p):
    X, W = rng.standard_normal((m, n)), rng.standard_normal((n, p))
    expect.close(student.matrix_multiply(X.copy(), W.copy()), X @ W,
                 what=f"matrix_multiply(X, W) for X {m}x{n} and W {n}x{p}",
                 hint=f"The product of an {m}x{n} and an {n}x{p} matrix is {m}x{p}.",
                 fn="matrix_multiply", args=(X, W))


@pytest.mark.points(1)
def test_matrix_multiply_weights_column(student, expect, rng):
    # The perceptron's case: data (n_samples, n_features) times weights (n_features, 1).
    X, W = rng.standard_normal((10, 3)), rng.standard_normal((3, 1))
    expect.close(student.matrix_multiply(X.copy(), W.copy()), X @ W,
                 what="matrix_multiply(X, W) for X 10x3 and W 3x1",
                 fn="matrix_multiply", args=(X, W))


@pytest.mark.points(1)
def test_matrix_multiply_does_not_modify_inputs(student, expect, rng):
    X, W = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    X0, W0 = X.copy(), W.copy()
    student.matrix_multiply(X, W)
    expect.true(np.array_equal(X, X0) and np.array_equal(W, W0),
                "matrix_multiply changed the matrices you passed in.",
                hint="Compute a new array and leave X and W as they were.",
                fn="matrix_multiply")
