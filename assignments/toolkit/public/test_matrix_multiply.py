"""Public checks for matrix_multiply: the product X @ W."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("matrix_multiply"), pytest.mark.visibility("public")]


@pytest.mark.points(3)
def test_matrix_multiply_2x3_by_3x2(student, expect):
    # Row i of X times column j of W: [1, 2, 3] . [7, 9, 11] = 58, and so on.
    X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    W = np.array([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    expect.close(student.matrix_multiply(X.copy(), W.copy()),
                 np.array([[58.0, 64.0], [139.0, 154.0]]),
                 what="matrix_multiply(X, W) for X 2x3 and W 3x2",
                 hint="Each entry (i, j) is the dot product of row i of X and column j of W: "
                      "use X @ W (or np.matmul), not X * W.",
                 fn="matrix_multiply", args=(X, W))


@pytest.mark.points(2)
def test_matrix_multiply_square(student, expect):
    # For square matrices X * W and W @ X also run, but give other numbers.
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[0.0, 1.0], [-1.0, 2.0]])
    expect.close(student.matrix_multiply(X.copy(), W.copy()), X @ W,
                 what="matrix_multiply(X, W) for two 2x2 matrices",
                 hint="The matrix product multiplies rows of X with columns of W (X @ W).",
                 fn="matrix_multiply", args=(X, W))
