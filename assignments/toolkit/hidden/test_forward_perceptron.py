"""Hidden checks for forward_perceptron: the bias, other shapes, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("forward_perceptron"), pytest.mark.visibility("hidden")]


def reference_forward(X, W, b):
    return 1.0 / (1.0 + np.exp(-(X @ W + b)))


@pytest.mark.points(2)
def test_fp_bias_matters(student, expect, rng):
    # With W = 0 every sample scores b: the output is sigmoid(2) = 0.8808 everywhere.
    X, W, b = rng.standard_normal((5, 3)), np.zeros((3, 1)), np.array([[2.0]])
    expect.close(student.forward_perceptron(X.copy(), W.copy(), b.copy()),
                 np.full((5, 1), 1.0 / (1.0 + np.exp(-2.0))),
                 what="forward_perceptron(X, W, b) with W = 0 (only the bias counts)",
                 hint="Add the bias b to X @ W before the sigmoid.",
                 fn="forward_perceptron", args=(X, W, b))


@pytest.mark.points(1)
def test_fp_bias_as_vector(student, expect, rng):
    # The bias may come with shape (1,) instead of (1, 1).
    X, W, b = rng.standard_normal((6, 2)), rng.standard_normal((2, 1)), np.array([-0.7])
    expect.close(student.forward_perceptron(X.copy(), W.copy(), b.copy()),
                 reference_forward(X, W, b),
                 what="forward_perceptron(X, W, b) with b of shape (1,)",
                 fn="forward_perceptron", args=(X, W, b))


@pytest.mark.points(1)
def test_fp_many_features(student, expect, rng):
    X, W = rng.standard_normal((50, 8)), rng.normal(0, 2, (8, 1))
    b = np.array([[0.5]])
    expect.close(student.forward_perceptron(X.copy(), W.copy(), b.copy()),
                 reference_forward(X, W, b), what="forward_perceptron(X, W, b) for 50x8 data",
                 fn="forward_perceptron", args=(X, W, b))


@pytest.mark.points(1)
def test_fp_leaves_inputs_alone(student, expect, rng):
    X, W, b = rng.standard_normal((4, 2)), rng.standard_normal((2, 1)), np.array([[0.3]])
    X0, W0, b0 = X.copy(), W.copy(), b.copy()
    student.forward_perceptron(X, W, b)
    expect.true(np.array_equal(X, X0) and np.array_equal(W, W0) and np.array_equal(b, b0),
                "forward_perceptron changed the arrays you passed in.",
                hint="Compute Z into a new array.", fn="forward_perceptron")
