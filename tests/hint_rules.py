"""The rule for first-level feedback (issue 9, item 4): say what is wrong and
where, never how to fix it. Shared by tests/selfcheck/test_hints.py (every message in
the course's sources) and tests/authoring/test_discrimination.py (every message a real
buggy submission gets).

A first-level message gives the fix away when it

* starts a clause with an imperative fix verb ("use np.mean without axis",
  ": build a float array", ". Clip at 500", ", return one number"): rule
  ``FIX_VERB``;
* contains an assignment that builds the answer, ``name = np.…`` or
  ``name = name …`` ("A = np.clip(A, eps, 1 - eps)", "W = W - lr * grad_W"):
  rule ``ASSIGNMENT``;
* quotes an expression of the reference solution's code, ten characters or
  longer ("np.max(Z, axis=1, keepdims=True)", "np.mean((y_pred - y) ** 2)"):
  rule ``SOLUTION``. Expressions the student's stub already shows (its
  docstring, e.g. "sigmoid(X @ W + b)") are not secrets and do not count.

A message may still name what the student's code does ("your softmax calls
np.exp on the raw scores", "(np.clip(..., out=A))"): that says where.
"""

from __future__ import annotations

import ast
import re
import textwrap
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "neural_network.py"

FIX_VERBS = ("use", "write", "build", "return", "compute", "loop", "clip", "divide",
             "subtract", "put", "drop", "shuffle", "record", "keep", "add", "apply", "call",
             "take", "square", "try", "avoid", "make", "update", "nudge", "restore",
             "replace", "set", "leave", "remove", "pass", "multiply", "index", "sum",
             "average", "check")
FIX_VERB = re.compile(r"(?:^|[.:;!?]\s+|,\s+|\(\s*)(" + "|".join(FIX_VERBS) + r")\b",
                      re.IGNORECASE)
ASSIGNMENT = re.compile(r"\b([A-Za-z_]\w*)\s+=\s+(?:np\.|\1\b)")
SHORTEST_SECRET = 10


def _solution_bodies(source: str) -> list[str]:
    return re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S)


@lru_cache(maxsize=1)
def solution_expressions() -> frozenset[str]:
    """Every call and arithmetic expression of the reference solution's bodies
    (as ``ast.unparse`` writes it), at least ten characters long, that the
    stubs' docstrings do not already show."""
    source = SOLUTION.read_text(encoding="utf-8")
    shown = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION", "", source, flags=re.S)
    out: set[str] = set()
    for body in _solution_bodies(source):
        tree = ast.parse(textwrap.dedent(body))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Call, ast.BinOp)):
                text = ast.unparse(node)
                if len(text) >= SHORTEST_SECRET and _squash(text) not in _squash(shown):
                    out.add(text)
    return frozenset(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fix_given_away(message: str) -> list[str]:
    """Why ``message`` (first level) hands over the fix; [] when it does not."""
    problems = [f"imperative {m.group(1)!r}" for m in FIX_VERB.finditer(message)]
    problems += [f"assignment {m.group(0)!r}" for m in ASSIGNMENT.finditer(message)]
    squashed = _squash(message)
    problems += [f"solution code {expr!r}" for expr in sorted(solution_expressions())
                 if _squash(expr) in squashed]
    return problems
