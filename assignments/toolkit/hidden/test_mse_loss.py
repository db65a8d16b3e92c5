"""Hidden checks for mse_loss: random data, symmetry, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("mse_loss"), pytest.mark.visibility("hidden")]


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(50,), (50, 1)], ids=["n", "n_by_1"])
def test_mse_random_data(student, expect, rng, shape):
    y_pred, y = rng.normal(0, 2, shape), rng.normal(1, 2, shape)
    expect.close(student.mse_loss(y_pred.copy(), y.copy()), np.mean((y_pred - y) ** 2),
                 what=f"mse_loss(y_pred, y) for arrays of shape {shape}",
                 fn="mse_loss", args=(y_pred, y))


@pytest.mark.points(1)
def test_mse_symmetric(student, expect, rng):
    # Swapping predictions and targets changes the sign of the errors, not the loss.
    y_pred, y = rng.normal(0, 1, 8), rng.normal(0.5, 1, 8)
    expect.close(student.mse_loss(y.copy(), y_pred.copy()), np.mean((y_pred - y) ** 2),
                 what="mse_loss(y, y_pred) with the arguments swapped",
                 hint="Squared errors do not depend on the sign of the error.",
                 fn="mse_loss", args=(y, y_pred))


@pytest.mark.points(1)
def test_mse_large_errors(student, expect):
    # Big errors count quadratically: errors 10, -20, 0, 2 give (100 + 400 + 0 + 4) / 4.
    y_pred, y = np.array([[10.0], [-20.0], [5.0], [3.0]]), np.array([[0.0], [0.0], [5.0], [1.0]])
    expect.close(student.mse_loss(y_pred.copy(), y.copy()), 126.0,
                 what="mse_loss(y_pred, y) for a few large errors",
                 fn="mse_loss", args=(y_pred, y))


@pytest.mark.points(1)
def test_mse_leaves_inputs_alone(student, expect, rng):
    y_pred, y = rng.normal(0, 1, (5, 1)), rng.normal(0, 1, (5, 1))
    p0, y0 = y_pred.copy(), y.copy()
    student.mse_loss(y_pred, y)
    expect.true(np.array_equal(y_pred, p0) and np.array_equal(y, y0),
                "mse_loss changed the arrays you passed in.",
                hint="Compute the errors into a new array.", fn="mse_loss")
