"""Public checks for mse_loss: the mean of the squared errors."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("mse_loss"), pytest.mark.visibility("public")]


@pytest.mark.points(2)
def test_mse_small_example(student, expect):
    # Errors 0, 0, -2 (and 1): squared 0, 0, 4, 1, mean 5/4.
    y_pred = np.array([1.0, 2.0, 3.0, 5.0])
    y = np.array([1.0, 2.0, 5.0, 4.0])
    expect.close(student.mse_loss(y_pred.copy(), y.copy()), 1.25,
                 what="mse_loss(y_pred, y) for errors [0, 0, -2, 1]",
                 hint="Square every error, then take the mean over all of them.",
                 fn="mse_loss", args=(y_pred, y))


@pytest.mark.points(1)
def test_mse_perfect_predictions(student, expect, rng):
    y = rng.standard_normal(6)
    expect.close(student.mse_loss(y.copy(), y.copy()), 0.0,
                 what="mse_loss(y, y) (perfect predictions)", fn="mse_loss", args=(y, y))


@pytest.mark.points(1)
def test_mse_column_vectors(student, expect):
    # The (n, 1) columns gradient_descent uses: still one number.
    y_pred = np.array([[0.5], [1.5], [-1.0]])
    y = np.array([[1.0], [1.0], [1.0]])
    expect.close(student.mse_loss(y_pred.copy(), y.copy()), (0.25 + 0.25 + 4.0) / 3,
                 what="mse_loss(y_pred, y) for (3, 1) columns",
                 hint="The loss is one number: the mean over all samples.",
                 fn="mse_loss", args=(y_pred, y))


@pytest.mark.points(1)
def test_mse_returns_one_number(student, expect, rng):
    # For (n,), (n, 1) and (n, k) arrays alike the loss is ONE number, as np.mean gives
    # (gradient_descent prints it with f"{loss:.4f}", which an array of shape (1,) breaks).
    # The docstring's shapes, (n,) and (n, 1), also give the right value.
    for shape in [(6,), (6, 1), (6, 3)]:
        y_pred, y = rng.normal(0, 1, shape), rng.normal(0, 1, shape)
        what = f"mse_loss(y_pred, y) for arrays of shape {shape}"
        loss = expect.number(student.mse_loss(y_pred.copy(), y.copy()), what=what,
                             fn="mse_loss", args=(y_pred, y))
        if len(shape) == 1 or shape[1] == 1:
            expect.close(loss, np.square(y_pred - y).mean(), what=what, fn="mse_loss",
                         args=(y_pred, y))
