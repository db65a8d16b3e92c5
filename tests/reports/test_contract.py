"""The contract the course text states, as the checks and helpers apply it.

* ``Expect.number``: a loss is one floating-point number, as ``np.mean`` gives;
  an array of shape (1,) or (1, 1) is not;
* the helpers passed into student code behave like the course's own
  functions: a loss helper returns a NumPy floating scalar, so student code
  may call ``.item()`` or ``.copy()`` on it, also across the real sandbox;
* the course's own code and an alternative that is valid on the docstring's
  shapes keep full marks on the new contract checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.course.assignment import find_course, load_assignment
from autograder.checklib import CheckFailed, Expect
from autograder.results import SubmissionResult
from autograder.sandbox import helpers
from autograder.grading.session import run_session
from autograder.course.submission import Submission

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / "neural_network.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", [1.5, np.float64(1.5), np.float32(1.5), np.array(1.5)],
                         ids=["float", "float64", "float32", "0-d"])
def test_number_accepts_one_float(value) -> None:
    assert Expect().number(value, what="mse_loss(y_pred, y)") == 1.5


@pytest.mark.parametrize("value, shown", [
    (np.array([1.5]), "an array of shape (1,) and dtype float64"),
    (np.array([[1.5]]), "an array of shape (1, 1) and dtype float64"),
    (None, "None (did you forget `return`?)"),
    (True, "a bool"),
    ("1.5", "a str"),
], ids=["shape-1", "shape-1x1", "none", "bool", "str"])
def test_number_rejects_everything_else(value, shown) -> None:
    with pytest.raises(CheckFailed) as failure:
        Expect().number(value, what="mse_loss(y_pred, y)")
    message = str(failure.value)
    assert message.startswith("mse_loss(y_pred, y) should return one number (a float, as "
                              f"np.mean gives), but it returned {shown}.")
    # how to fix it is the second level (dlgrade check --hints), not in the message
    assert "np.mean without axis" not in message
    assert ("np.mean without axis" in failure.value.hint) == isinstance(value, np.ndarray)


@pytest.mark.parametrize("name", ["squared_error", "log_loss", "quartic_error"])
def test_loss_helpers_return_numpy_scalars_like_np_mean(name: str) -> None:
    loss = getattr(helpers, name)
    y = np.array([[1.0], [0.0], [1.0]])
    value = loss(np.array([[0.9], [0.2], [0.6]]), y)
    assert isinstance(value, np.floating) and not isinstance(value, np.ndarray)
    assert value.item() == float(value) and value.copy() == value


def grade(source: str, assignment_id: str = "toolkit") -> SubmissionResult:
    assignment = load_assignment(find_course(ROOT), assignment_id)
    results: list[SubmissionResult] = []
    run_session(assignment=assignment, emit=results.append,
                submissions=[Submission("s", "py", files={"neural_network.py": source})])
    return results[0]


def test_sandboxed_student_code_can_call_item_on_a_helper_loss() -> None:
    # Through the real sandbox: the helper runs inside the worker, and what the
    # student does with its NumPy scalar (.item(), .copy()) works as with np.mean.
    snippet = '''
def numerical_gradient(X, y, params, loss_fn, forward_fn, h=1e-4):
    grads = {}
    for name, p in params.items():
        g = np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            keep = p[idx]
            p[idx] = keep + h
            up = loss_fn(forward_fn(X, params), y).copy().item()
            p[idx] = keep - h
            down = loss_fn(forward_fn(X, params), y).item()
            p[idx] = keep
            g[idx] = (up - down) / (2 * h)
        grads[name] = g
    return grads
'''
    result = grade(REFERENCE + snippet)
    ng = [c for c in result.checks if c.function == "numerical_gradient"]
    assert ng and all(c.outcome == "passed" for c in ng), [c.message for c in ng]


def test_a_loss_of_shape_one_loses_the_public_contract_point_only() -> None:
    # np.mean(..., axis=0) is right in value but an array for (n, 1) columns.
    result = grade(REFERENCE + '''
def mse_loss(y_pred, y):
    return np.mean((y_pred - y) ** 2, axis=0)
''')
    failed = {c.check: c.message for c in result.checks if c.outcome != "passed"}
    assert set(failed) == {"mse_returns_one_number"}, failed
    message = failed["mse_returns_one_number"]
    assert message.startswith("mse_loss(y_pred, y) for arrays of shape (6, 1) should return "
                              "one number (a float, as np.mean gives), but it returned an "
                              "array of shape (1,) and dtype float64.")
    assert "Likely cause: your mse_loss averages over axis 0 only" in message
