"""Hidden checks for relu: other shapes, dtypes and the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("relu"), pytest.mark.visibility("hidden")]


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(200, 50), (1000,), (4, 5, 6)], ids=["200x50", "1d", "3d"])
def test_relu_zero_count_other_shapes(student, expect, rng, shape):
    # The zero count of exercise 3 on a larger matrix, a vector and a 3-D array,
    # with some exact zeros mixed in.
    Z = rng.uniform(-5, 5, shape)
    Z.flat[::17] = 0.0
    A = expect.array(student.relu(Z.copy()), what=f"relu(Z) for a {Z.ndim}-D input",
                     shape=Z.shape, fn="relu", args=(Z,))
    expect.true(int(np.sum(A == 0)) == int(np.sum(Z <= 0)),
                f"relu(Z) for a {Z.ndim}-D input does not zero exactly the values <= 0.",
                fn="relu", args=(Z,), got=A)
    expect.close(A, np.maximum(0.0, Z), what=f"relu(Z) for a {Z.ndim}-D input",
                 fn="relu", args=(Z,))


@pytest.mark.points(1)
def test_relu_does_not_modify_input(student, expect, rng):
    # Points only for a relu that works: then it must also leave Z alone.
    Z = rng.uniform(-5, 5, (6, 4))
    before = Z.copy()
    A = student.relu(Z)
    expect.unchanged(Z, before, what="relu", fn="relu",
                     hint="For example, avoid `Z[Z < 0] = 0` on Z itself.")
    expect.close(A, np.maximum(0.0, before), what="relu(Z)", fn="relu", args=(before,))


@pytest.mark.points(1)
def test_relu_integer_input(student, expect):
    Z = np.array([[-3, 0, 2], [5, -1, 7]])
    expect.close(student.relu(Z.copy()), np.maximum(0, Z), what="relu(Z) for integer Z",
                 fn="relu", args=(Z,))
