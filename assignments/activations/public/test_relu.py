"""Public checks for relu: the exercises of Part 3.2."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("relu"), pytest.mark.visibility("public")]


@pytest.mark.points(2)
def test_relu_course_matrix(student, expect):
    # Exercise 1: the fixed 4x3 matrix of the course.
    Z = np.array([[-1.5, 2.0, 0.0], [-0.5, -2.0, 1.5], [3.0, -1.0, 0.5], [-3.0, 4.0, -0.2]])
    A = student.relu(Z.copy())
    expect.close(A, np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 1.5], [3.0, 0.0, 0.5], [0.0, 4.0, 0.0]]),
                 what="relu(Z) on the 4x3 course matrix",
                 hint="Negative values must become 0; positive values stay as they are.",
                 fn="relu", args=(Z,))


@pytest.mark.points(2)
def test_relu_zero_count_course(student, expect, rng):
    # Exercise 3: on uniform(-5, 5) data, relu zeroes exactly the non-positive inputs.
    Z = rng.uniform(-5, 5, (5, 4))
    A = expect.array(student.relu(Z.copy()), what="relu(Z)", shape=Z.shape,
                     fn="relu", args=(Z,))
    zeros, expected_zeros = int(np.sum(A == 0)), int(np.sum(Z <= 0))
    expect.true(zeros == expected_zeros,
                f"relu(Z) has {zeros} zeros, but Z has {expected_zeros} values <= 0: "
                "exactly those should become 0.", fn="relu", args=(Z,), got=A)
    expect.close(A, Z, where=Z > 0, what="relu(Z) where Z > 0",
                 hint="Positive inputs must come through unchanged.")


@pytest.mark.points(1)
def test_relu_returns_a_new_array(student, expect):
    # The docstring promises that Z is not modified: relu returns a new array.
    Z = np.array([[-2.0, 1.0], [3.0, -0.5]])
    before = Z.copy()
    A = student.relu(Z)
    expect.true(np.array_equal(Z, before),
                f"relu changed the Z you passed in (it is now {Z.ravel().tolist()}, it was "
                f"{before.ravel().tolist()}): relu must return a new array and leave its "
                "input alone.",
                fn="relu", args=(before,), got=Z)
    expect.close(A, np.array([[0.0, 1.0], [3.0, 0.0]]), what="relu(Z)", fn="relu",
                 args=(before,))
