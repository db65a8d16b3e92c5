"""Public checks for forward_mlp: shapes, probabilities, two inputs worked by hand."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("forward_mlp"), pytest.mark.visibility("public")]


def random_params(rng, n_features, n_hidden, n_classes):
    return {"W1": rng.standard_normal((n_features, n_hidden)),
            "b1": rng.standard_normal(n_hidden),
            "W2": rng.standard_normal((n_hidden, n_classes)),
            "b2": rng.standard_normal(n_classes)}


@pytest.mark.points(2)
def test_forward_mlp_rows_are_probabilities(student, expect, rng):
    # 4 samples, 3 features, 5 hidden units, 3 classes: one distribution per row.
    X = rng.standard_normal((4, 3))
    params = random_params(rng, 3, 5, 3)
    A = expect.array(student.forward_mlp(X.copy(), params), what="forward_mlp(X, params)",
                     shape=(4, 3), fn="forward_mlp", args=(X, params))
    expect.finite(A, what="forward_mlp(X, params)", fn="forward_mlp", args=(X, params))
    sums = A.sum(axis=1)
    expect.true(np.all(A > 0) and np.allclose(sums, 1.0),
                "each row of forward_mlp(X, params) must be probabilities that sum to 1; "
                f"the rows sum to [{', '.join(f'{s:.4g}' for s in sums)}].",
                hint="The output layer ends with softmax, row by row.",
                fn="forward_mlp", args=(X, params), got=A)


@pytest.mark.points(2)
def test_forward_mlp_small_example(student, expect):
    # Identity weights, no biases: the hidden layer is relu([1, -2]) = [1, 0], so
    # the output is softmax([1, 0]) = [e / (e + 1), 1 / (e + 1)].
    X = np.array([[1.0, -2.0]])
    params = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)}
    e = np.e
    expect.close(student.forward_mlp(X.copy(), params), np.array([[e / (e + 1), 1 / (e + 1)]]),
                 what="forward_mlp(X, params) for X = [[1, -2]] and identity weights",
                 hint="The hidden layer is relu(X @ W1 + b1): its negative values become 0.",
                 fn="forward_mlp", args=(X, params))


@pytest.mark.points(1)
def test_forward_mlp_bias_before_relu(student, expect):
    # X @ W1 = [3] and b1 = [-4]: the hidden unit's input is -1, so relu makes it 0
    # and both output scores are 0: probabilities [0.5, 0.5].
    X = np.array([[1.0, 2.0]])
    params = {"W1": np.array([[1.0], [1.0]]), "b1": np.array([-4.0]),
              "W2": np.array([[1.0, -1.0]]), "b2": np.zeros(2)}
    expect.close(student.forward_mlp(X.copy(), params), np.array([[0.5, 0.5]]),
                 what="forward_mlp(X, params) with a hidden bias of -4",
                 hint="b1 is added to X @ W1 before relu, not after.",
                 fn="forward_mlp", args=(X, params))
