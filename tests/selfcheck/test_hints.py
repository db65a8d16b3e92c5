"""Hints that teach, in steps (issue 9, item 4): the first message of every
known mistake and every check says what is wrong and where; the fix is the
second level (``hint=``), shown by ``dlgrade check --hints``. And the checks
released to students never quote the reference solution's code.

The rule itself is in tests/hint_rules.py; here it is applied to every message
in the course's sources (tests/authoring/test_discrimination.py applies it to every
message real buggy submissions get).
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from hint_rules import fix_given_away, solution_expressions

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = REPO / "assignments"
CHECK_FILES = sorted(ASSIGNMENTS.glob("*/public/test_*.py")) + sorted(
    ASSIGNMENTS.glob("*/hidden/test_*.py"))
PUBLIC_FILES = sorted(ASSIGNMENTS.glob("*/public/test_*.py"))
# Expect methods and where their first-level message is: positional index, keywords
MESSAGE_ARGS = {"fail": (0, ("message",)), "true": (1, ("message",)),
                "close": (None, ("what",)), "finite": (None, ("what",)),
                "array": (None, ("what",)), "scalar": (None, ("what",)),
                "number": (None, ("what",)), "unchanged": (None, ("what",))}


def load_mistakes() -> dict[str, list[tuple[str, Any]]]:
    spec = importlib.util.spec_from_file_location("course_mistakes", ASSIGNMENTS / "mistakes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


MISTAKES = [(function, cause, wrong) for function, entries in load_mistakes().items()
            for cause, wrong in entries]


def render(node: ast.AST) -> str:
    """A message expression as text: literal parts kept, computed parts as {}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(render(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return render(node.left) + render(node.right)
    if isinstance(node, ast.IfExp):
        return render(node.body) + render(node.orelse)
    return "{}"


def check_messages(path: Path) -> Iterator[tuple[int, str]]:
    """(line, first-level message) of every Expect call in a check file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "expect"
                and node.func.attr in MESSAGE_ARGS):
            continue
        index, keywords = MESSAGE_ARGS[node.func.attr]
        if index is not None and len(node.args) > index:
            yield node.lineno, render(node.args[index])
        for keyword in node.keywords:
            if keyword.arg in keywords:
                yield node.lineno, render(keyword.value)


CHECK_MESSAGES = [(f"{path.relative_to(REPO)}:{line}", message)
                  for path in CHECK_FILES for line, message in check_messages(path)]


# ------------------------------------------------------------------ the rule itself

@pytest.mark.parametrize("message", [
    "your mse_loss averages over axis 0 only, so it returns an array: use np.mean without axis.",
    "your sigmoid writes into an integer array: build a float array, e.g. 1 / (1 + np.exp(-Z)).",
    "your sigmoid clips Z to [-10, 10]. Clip at 500 at the least.",
    "your mse_loss returns an array of shape (1, 1): return one number, "
    "np.mean((y_pred - y) ** 2).",
    "your softmax subtracts each row's MINIMUM. Subtract the maximum "
    "(np.max(Z, axis=1, keepdims=True)).",
    "your numerical_gradient writes ... / 2 * h: put the denominator in parentheses, / (2 * h).",
    "your numerical_gradient uses the backward difference; use the central difference ...",
    "gradient_descent changed the W you passed in: W = W - lr * grad_W gives a new array.",
    "binary_cross_entropy changed A (A = np.clip(A, eps, 1 - eps) is a new array).",
    "relu changed Z; np.maximum(0, Z) makes a new array.",
])
def test_the_rule_catches_messages_that_hand_over_the_fix(message: str) -> None:
    assert fix_given_away(message)


@pytest.mark.parametrize("message", [
    "your softmax calls np.exp on the raw scores, which overflows for large scores.",
    "your relu writes into Z (Z[Z < 0] = 0 or np.maximum(Z, 0, out=Z)), which changes the "
    "caller's array.",
    "your normalize uses the sample standard deviation (ddof=1).",
    "softmax(Z) for scores of +-1000 contains 6 nan/inf value(s): [nan, nan, nan, ...].",
    "the loss should go down during training, but it grew from 2.5 to 4.5e+85.",
    "your forward_perceptron returns X @ W + b without the sigmoid.",
])
def test_the_rule_lets_a_message_say_what_and_where(message: str) -> None:
    assert fix_given_away(message) == []


def test_the_solution_expressions_are_read_from_the_reference() -> None:
    secrets = solution_expressions()
    assert {"np.maximum(0, Z)", "np.max(Z, axis=1, keepdims=True)",
            "np.mean((y_pred - y) ** 2)"} <= secrets
    # what the stubs' docstrings already show is no secret
    assert "sigmoid(X @ W + b)" not in secrets
    assert not any(len(s) < 10 for s in secrets)


# ------------------------------------------------------------------ the course's messages

@pytest.mark.parametrize("function, cause, wrong", MISTAKES,
                         ids=[wrong.__name__ for _, _, wrong in MISTAKES])
def test_every_mistake_gives_its_cause_first_and_its_fix_as_the_hint(function, cause, wrong):
    assert fix_given_away(cause) == [], cause
    assert wrong.hint.strip(), f"{wrong.__name__}: no hint (how to fix it) for {cause!r}"
    assert wrong.hint.strip() not in cause


def test_every_check_message_says_what_and_where_not_how() -> None:
    assert len(CHECK_MESSAGES) > 150  # every Expect call of every check file was read
    given_away = {where: problems for where, message in CHECK_MESSAGES
                  if (problems := fix_given_away(message))}
    assert given_away == {}


@pytest.mark.parametrize("path", PUBLIC_FILES,
                         ids=[f"{p.parent.parent.name}/{p.stem}" for p in PUBLIC_FILES])
def test_public_checks_never_quote_the_reference_solution(path: Path) -> None:
    # their source is released to students (nbgrader's test cells, the template)
    text = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
    unparsed = re.sub(r"\s+", "", ast.unparse(ast.parse(path.read_text(encoding="utf-8"))))
    quoted = sorted(expr for expr in solution_expressions()
                    if re.sub(r"\s+", "", expr) in text or re.sub(r"\s+", "", expr) in unparsed)
    assert quoted == []


# ------------------------------------------------------------------ the notebook's check()

def test_notebook_check_shows_hints_on_request(tmp_path: Path) -> None:
    from autograder.publish.template import generate_template
    from autograder.notebook import HINTS_NOTE, run

    template = tmp_path / "student"
    generate_template(REPO, template)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec("import numpy as np\n\n"
         "def softmax(Z):\n"
         "    e = np.exp(Z)  # no shift: overflows at 1000\n"
         "    return e / e.sum(axis=1, keepdims=True)\n", namespace)
    first = run(("softmax_exercise_extreme_scores",), namespace, folder=template)
    second = run(("softmax_exercise_extreme_scores",), namespace, folder=template, hints=True)
    hint = "Hint: np.exp(1000) overflows: subtract each row's maximum first."
    # first level: what is wrong and where, and how to see more
    text = str(first)
    assert "softmax(Z) for scores of +-1000 contains 6 nan/inf value(s)" in text
    assert "maximum" not in text and HINTS_NOTE in text
    assert "maximum" not in first._repr_html_() and HINTS_NOTE in first._repr_html_()
    # second level, on request: the hint under its message, and no note
    assert f"        {hint}" in str(second).splitlines() and HINTS_NOTE not in str(second)
    assert f"<i>{hint}</i>" in second._repr_html_().replace("&#x27;", "'")
    # a passing check has no hint, and then no note either
    solved = {"__name__": "__main__", "softmax": lambda Z: np.full(np.shape(Z), 1 / 3)}
    passing = run(("softmax_exercise_extreme_scores",), solved, folder=template)
    assert passing.passed and HINTS_NOTE not in str(passing)
