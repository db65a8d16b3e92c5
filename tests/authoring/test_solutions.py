"""Properties of the reference toolkit (solutions/neural_network.py), by hypothesis."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / "neural_network.py"
_spec = importlib.util.spec_from_file_location("reference_neural_network", SOLUTION)
assert _spec and _spec.loader
nn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nn)

QUICK = settings(max_examples=50, deadline=None)
values = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
# multiples of 1/64: exact in binary, so a constant column has a std of exactly 0
dyadic = st.integers(-3200, 3200).map(lambda k: k / 64)


def matrices(elements=values, min_side=1, max_side=6):
    shape = st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side))
    return arrays(np.float64, shape, elements=elements)


@QUICK
@given(matrices(), st.floats(-500, 500))
def test_softmax_rows_are_distributions_and_shift_invariant(Z, c):
    A = nn.softmax(Z)
    assert A.shape == Z.shape
    assert np.allclose(A.sum(axis=1), 1.0)  # each row is a distribution
    assert np.all((A > 0) & (A <= 1))  # every entry a probability in (0, 1]
    assert np.allclose(nn.softmax(Z + c), A, atol=1e-12)  # adding c to every score: same


@QUICK
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3)),
              elements=values))
def test_relu_nonnegative_idempotent_and_identity_on_positives(Z):
    before = Z.copy()
    A = nn.relu(Z)
    assert np.array_equal(Z, before)  # the input is left alone
    assert np.all(A >= 0)
    assert np.array_equal(nn.relu(A), A)  # relu(relu(z)) = relu(z)
    assert np.array_equal(A[Z > 0], Z[Z > 0])  # positives come through unchanged


@QUICK
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e4, 1e4)))
def test_sigmoid_in_unit_interval_and_symmetric(Z):
    A = nn.sigmoid(Z)
    assert np.all(np.isfinite(A)) and np.all((A >= 0) & (A <= 1))
    assert np.allclose(nn.sigmoid(-Z), 1.0 - A, atol=1e-12)  # sigmoid(-z) = 1 - sigmoid(z)


@QUICK
@given(matrices(elements=dyadic, min_side=2), st.data())
def test_normalize_standardises_columns_and_zeroes_constant_ones(X, data):
    constant = data.draw(st.lists(st.integers(0, X.shape[1] - 1), max_size=2))
    for j in constant:
        X[:, j] = data.draw(st.sampled_from([3.0, -2.0, 0.0]))  # exact: std is exactly 0
    before = X.copy()
    N = nn.normalize(X)
    assert np.array_equal(X, before)  # a new array, X untouched
    std = X.std(axis=0)
    varying = std > 1e-6 * (1 + np.abs(X).max(axis=0))  # well-conditioned columns
    assert np.allclose(N[:, varying].mean(axis=0), 0.0, atol=1e-7)
    assert np.allclose(N[:, varying].std(axis=0), 1.0, atol=1e-6)
    assert np.all(N[:, std == 0] == 0)  # constant columns: mean-subtracted, all zeros


@QUICK
@given(st.integers(2, 8), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_numerical_gradient_matches_mse_gradient_of_linear_model(n, d, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, d)), rng.standard_normal((n, 1))
    params = {"W": rng.standard_normal((d, 1)), "b": rng.standard_normal((1, 1))}
    before = {k: v.copy() for k, v in params.items()}

    def forward(X, p):
        return X @ p["W"] + p["b"]

    grads = nn.numerical_gradient(X, y, params, nn.mse_loss, forward)
    e = forward(X, params) - y
    assert np.allclose(grads["W"], 2 * X.T @ e / n, atol=1e-6)  # d/dW mean(e^2)
    assert np.allclose(grads["b"], 2 * e.mean(), atol=1e-6)  # d/db mean(e^2)
    assert all(np.array_equal(params[k], before[k]) for k in params)  # params restored


@QUICK
@given(st.integers(0, 2**32 - 1))
def test_gradient_descent_lowers_the_loss_of_an_easy_problem(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 2))
    y = X @ np.array([[1.5], [-0.5]]) + 1.0
    W0, b0 = np.zeros((2, 1)), np.zeros((1, 1))
    np.random.seed(seed)  # the reference shuffles with np.random
    with contextlib.redirect_stdout(io.StringIO()):  # it prints one line per epoch
        W, b, history = nn.gradient_descent(X, y, W0, b0, 0.1, 15, 8, nn.mse_loss)
    initial = nn.mse_loss(X @ W0 + b0, y)
    assert len(history) == 15 and W.shape == (2, 1) and b.shape == (1, 1)
    assert history[-1] < history[0] and history[-1] < 0.05 * initial
