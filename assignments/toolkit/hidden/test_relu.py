"""Hidden checks for relu: other shapes, exact values, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("relu"), pytest.mark.visibility("hidden")]


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(12,), (3, 4, 5)], ids=["1d", "3d"])
def test_relu_other_dimensions(student, expect, rng, shape):
    # relu works element-wise on any shape: a vector and a 3-D array.
    Z = rng.uniform(-5, 5, shape)
    Z.flat[::5] = 0.0
    expect.close(student.relu(Z.copy()), np.maximum(0.0, Z),
                 what=f"relu(Z) for a {len(shape)}-D input of shape {shape}",
                 fn="relu", args=(Z,))


@pytest.mark.points(1)
def test_relu_positive_values_exact(student, expect, rng):
    # Positive inputs come through unchanged (not scaled, not rounded).
    Z = rng.uniform(-1e3, 1e3, (6, 6))
    A = expect.array(student.relu(Z.copy()), what="relu(Z)", shape=Z.shape,
                     fn="relu", args=(Z,))
    expect.true(np.array_equal(A[Z > 0], Z[Z > 0]),
                "relu(Z) must return every positive input exactly as it is.",
                fn="relu", args=(Z,), got=A)
    expect.true(np.all(A[Z <= 0] == 0), "relu(Z) must return 0 for every input <= 0.",
                fn="relu", args=(Z,), got=A)


@pytest.mark.points(1)
def test_relu_leaves_input_alone(student, expect, rng):
    Z = rng.uniform(-5, 5, (6, 4))
    before = Z.copy()
    A = student.relu(Z)
    expect.true(np.array_equal(Z, before),
                "relu changed the Z you passed in.",
                hint="Return a new array (np.maximum(0, Z)) instead of writing into Z "
                "(Z[Z < 0] = 0 changes the caller's data).", fn="relu", args=(before,), got=Z)
    expect.close(A, np.maximum(0.0, before), what="relu(Z)", fn="relu", args=(before,))
