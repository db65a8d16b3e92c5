"""Public checks for forward_perceptron: sigmoid(X @ W + b)."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("forward_perceptron"), pytest.mark.visibility("public")]


def reference_forward(X, W, b):
    return 1.0 / (1.0 + np.exp(-(X @ W + b)))


@pytest.mark.points(3)
def test_fp_small_example(student, expect):
    # Four samples, two features: Z = X @ W + b = [0.1, -0.9, 1.1, 0.6], then sigmoid.
    X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, -0.5]])
    W = np.array([[0.5], [-1.0]])
    b = np.array([[0.1]])
    expect.close(student.forward_perceptron(X.copy(), W.copy(), b.copy()),
                 reference_forward(X, W, b),
                 what="forward_perceptron(X, W, b) on a 4x2 example",
                 hint="Compute Z = X @ W + b, then return sigmoid(Z).",
                 fn="forward_perceptron", args=(X, W, b))


@pytest.mark.points(2)
def test_fp_shape_and_range(student, expect, rng):
    # 20 samples, 3 features: one probability per sample, as a (20, 1) column.
    X, W, b = rng.standard_normal((20, 3)), rng.standard_normal((3, 1)), np.array([[0.2]])
    A = expect.array(student.forward_perceptron(X.copy(), W.copy(), b.copy()),
                     what="forward_perceptron(X, W, b)", shape=(20, 1),
                     fn="forward_perceptron", args=(X, W, b))
    expect.true(np.all((A >= 0) & (A <= 1)),
                f"forward_perceptron must return probabilities in [0, 1]; got values from "
                f"{A.min():.4g} to {A.max():.4g}.", hint="Apply sigmoid to X @ W + b.",
                fn="forward_perceptron", args=(X, W, b), got=A)
    expect.close(A, reference_forward(X, W, b), what="forward_perceptron(X, W, b)",
                 fn="forward_perceptron", args=(X, W, b))
