"""Mutant generation: every first-order change cosmic-ray can make to a reference
solution, inside one function's ``### BEGIN/END SOLUTION`` fence.

The operators are cosmic-ray's core set (those that apply here) plus
:mod:`autograder.authoring.mutation_ops`. cosmic-ray is needed at run time (the
``test`` extra); without it :func:`require_cosmic_ray` raises a one-line usage
error.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.authoring.problems import SOLUTIONS_DIR
from autograder.course.assignment import list_assignments, load_assignment
from autograder.errors import UsageError

# cosmic-ray core operators that do not apply here (no decorators, no exceptions)
# or need per-run arguments (the variable operators)
SKIPPED_CORE = {"NoOp", "RemoveDecorator", "ExceptionReplacer", "VariableReplacer",
                "VariableInserter"}


@dataclass(frozen=True)
class Mutant:
    """One first-order mutant of a reference solution file."""

    id: str  # stable: a hash of function, operator, before and after
    function: str
    operator: str
    line: int
    before: str  # the original line(s) the mutation changes, stripped
    after: str  # what they become
    code: str  # the whole mutated file
    file: str = "neural_network.py"  # the mutated file, relative to solutions/


def require_cosmic_ray() -> None:
    """Raise a one-line usage error when cosmic-ray cannot be imported."""
    try:
        import cosmic_ray.mutating  # noqa: F401
    except ImportError:
        raise UsageError("proving the checks needs cosmic-ray, which is not installed "
                         "(pip install 'dlgrade[test]', or pip install cosmic-ray)") from None


def operators() -> dict[str, Any]:
    """name -> operator class: cosmic-ray's core set plus the course operators."""
    from cosmic_ray.operators.provider import OperatorProvider

    from autograder.authoring.mutation_ops import COURSE_OPERATORS

    core = OperatorProvider()
    ops = {f"core/{name}": core[name] for name in core if name not in SKIPPED_CORE}
    ops.update({f"course/{name}": cls for name, cls in COURSE_OPERATORS.items()})
    return ops


def fences(source: str) -> list[tuple[str, int, int]]:
    """(function, first line, last line) of each ``### BEGIN/END SOLUTION`` fence."""
    out: list[tuple[str, int, int]] = []
    function, start = "", 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("def "):
            function = stripped[4:].split("(", 1)[0]
        elif stripped == "### BEGIN SOLUTION":
            start = number
        elif stripped == "### END SOLUTION":
            out.append((function, start, number))
    return out


def callers(source: str, function: str, among: tuple[str, ...] | list[str]) -> list[str]:
    """The functions of ``among`` whose code in ``source`` calls ``function``,
    directly or through one another (forward_perceptron calls sigmoid)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            calls[node.name] = {n.func.id for n in ast.walk(node)
                                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    found: list[str] = []
    todo = [function]
    while todo:
        callee = todo.pop()
        for name in among:
            if name != function and name not in found and callee in calls.get(name, set()):
                found.append(name)
                todo.append(name)
    return [name for name in among if name in found]


def _changed_lines(old: str, new: str) -> tuple[str, str]:
    """The lines between the first and the last that differ, stripped, without
    comment-only lines: ``"a / b"`` -> ``"b / a"`` for two swapped statements."""
    a, b = old.splitlines(), new.splitlines()
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1

    def lines(text: list[str]) -> str:
        kept = [s.strip() for s in text[head:len(text) - tail]]
        return " / ".join(s for s in kept if s and not s.startswith("#"))

    return lines(a), lines(b)


def generate(source: str, *, file: str = "neural_network.py") -> list[Mutant]:
    """Every first-order mutant of ``source`` inside a solution fence."""
    from cosmic_ray.ast import ast_nodes, get_ast
    from cosmic_ray.mutating import mutate_code

    regions = fences(source)
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for name, cls in operators().items():
        op = cls()
        positions = [pos for node in ast_nodes(get_ast(source))
                     for pos in op.mutation_positions(node)]
        for occurrence, (start, end) in enumerate(positions):
            function = next((f for f, lo, hi in regions
                             if lo < start[0] and end[0] < hi), None)
            if function is None:
                continue
            code = mutate_code(source, op, occurrence)
            if code is None or code == source:
                continue
            try:
                compile(code, "mutant", "exec")
            except SyntaxError:
                continue
            before, after = _changed_lines(source, code)
            key = f"{function}|{name}|{before}|{after}"
            if key in seen:  # the same change reached twice (e.g. two operators)
                continue
            seen.add(key)
            digest = hashlib.sha1(key.encode()).hexdigest()[:10]
            mutants.append(Mutant(id=digest, function=function, operator=name,
                                  line=start[0], before=before, after=after, code=code,
                                  file=file))
    return mutants


def course_mutants(course: Path, assignment_ids: list[str] | None = None) -> list[Mutant]:
    """The mutants of every reference file that the chosen assignments submit,
    restricted to those assignments' functions."""
    ids = assignment_ids or list_assignments(course)
    wanted: dict[str, set[str]] = {}
    for aid in ids:
        assignment = load_assignment(course, aid)
        wanted.setdefault(assignment.submit, set()).update(assignment.functions)
    mutants: list[Mutant] = []
    for file, functions in sorted(wanted.items()):
        source = (course / SOLUTIONS_DIR / file).read_text(encoding="utf-8")
        mutants += [m for m in generate(source, file=file) if m.function in functions]
    return mutants
