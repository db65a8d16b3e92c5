"""Hidden checks for forward_mlp: other shapes, large scores, integers, inputs left alone."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("forward_mlp"), pytest.mark.visibility("hidden")]


def reference_forward_mlp(X, params):
    hidden = np.maximum(0, X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def random_params(rng, n_features, n_hidden, n_classes, scale=1.0):
    return {"W1": scale * rng.standard_normal((n_features, n_hidden)),
            "b1": scale * rng.standard_normal(n_hidden),
            "W2": scale * rng.standard_normal((n_hidden, n_classes)),
            "b2": scale * rng.standard_normal(n_classes)}


def copies(params):
    return {name: value.copy() for name, value in params.items()}


@pytest.mark.points(1)
@pytest.mark.parametrize("sizes", [(6, 4, 5, 3), (1, 7, 2, 4)], ids=["6x4-5-3", "1x7-2-4"])
def test_forward_mlp_matches_definition(student, expect, rng, sizes):
    n_samples, n_features, n_hidden, n_classes = sizes
    X = rng.standard_normal((n_samples, n_features))
    params = random_params(rng, n_features, n_hidden, n_classes)
    expect.close(student.forward_mlp(X.copy(), copies(params)),
                 reference_forward_mlp(X, params),
                 what=f"forward_mlp(X, params) for sizes {sizes}",
                 fn="forward_mlp", args=(X, params))


@pytest.mark.points(1)
def test_forward_mlp_large_scores(student, expect, rng):
    # Weights scaled by 300: the output scores reach the thousands.
    X = rng.standard_normal((5, 3))
    params = random_params(rng, 3, 4, 3, scale=300.0)
    A = expect.array(student.forward_mlp(X.copy(), copies(params)),
                     what="forward_mlp(X, params) for large weights", shape=(5, 3),
                     fn="forward_mlp", args=(X, params))
    expect.finite(A, what="forward_mlp(X, params) for large weights",
                  hint="Your softmax must subtract each row's maximum before np.exp.",
                  fn="forward_mlp", args=(X, params))
    expect.close(A, reference_forward_mlp(X, params),
                 what="forward_mlp(X, params) for large weights",
                 fn="forward_mlp", args=(X, params))


@pytest.mark.points(1)
def test_forward_mlp_integer_input(student, expect):
    X = np.array([[1, 2], [3, -1], [0, 0]])
    params = {"W1": np.array([[1, -1, 2], [0, 1, -1]]), "b1": np.array([0, 1, -1]),
              "W2": np.array([[1, 0], [0, 1], [1, 1]]), "b2": np.array([1, -1])}
    expect.close(student.forward_mlp(X.copy(), copies(params)),
                 reference_forward_mlp(X.astype(float),
                                       {k: v.astype(float) for k, v in params.items()}),
                 what="forward_mlp(X, params) for integer inputs and weights",
                 fn="forward_mlp", args=(X, params))


@pytest.mark.points(1)
def test_forward_mlp_does_not_modify_inputs(student, expect, rng):
    # Points only for a forward pass that works: then it must also leave its inputs alone.
    X = rng.standard_normal((3, 4))
    params = random_params(rng, 4, 3, 2)
    X_before, params_before = X.copy(), copies(params)
    A = student.forward_mlp(X, params)
    expect.unchanged(X, X_before, what="forward_mlp", fn="forward_mlp")
    for name in ("W1", "b1", "W2", "b2"):
        expect.unchanged(params[name], params_before[name], what="forward_mlp",
                         fn="forward_mlp")
    expect.close(A, reference_forward_mlp(X_before, params_before),
                 what="forward_mlp(X, params)", fn="forward_mlp", args=(X_before, params_before))
