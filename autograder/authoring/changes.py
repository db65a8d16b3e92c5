"""Which assignments changed since a git revision (``dlgrade lint --prove --since``).

An assignment changed when a file in its folder did, or, in its reference file,
one of its functions, a function those call, or the module's other statements.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from autograder.authoring.problems import SOLUTIONS_DIR
from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.errors import UsageError


def _top_level(source: str) -> tuple[dict[str, str], list[str], dict[str, set[str]]]:
    """(function -> its code, the other top-level statements, function -> names it calls)."""
    tree = ast.parse(source)
    functions: dict[str, str] = {}
    other: list[str] = []
    calls: dict[str, set[str]] = {}
    for node in tree.body:
        code = ast.get_source_segment(source, node) or ast.dump(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = code
            calls[node.name] = {n.func.id for n in ast.walk(node)
                                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            other.append(code)  # imports, constants (the module docstring aside)
    return functions, other, calls


def _touches(assignment: Assignment, old: str | None, new: str) -> bool:
    """Whether the reference's change from ``old`` to ``new`` can change what the
    assignment's mutants are or how they fare: one of its functions (or a function
    they call) differs, or the module's other statements do."""
    if old is None:
        return True
    try:
        old_functions, old_other, _ = _top_level(old)
        new_functions, new_other, calls = _top_level(new)
    except SyntaxError:
        return True
    if old_other != new_other:
        return True
    reached, todo = set(), list(assignment.functions)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += sorted(calls.get(name, set()))
    return any(old_functions.get(name) != new_functions.get(name) for name in reached)


def changed_assignments(course: Path, since: str = "HEAD") -> list[str] | None:
    """The assignments changed since git revision ``since`` (committed after it,
    staged, unstaged or untracked): a file in their folder, or, in their reference
    file, one of their functions, a function those call, or the module's other
    statements. None when the course is not a git work tree (or git is missing).

    Raises:
        UsageError: ``since`` is not a revision of the course's repository.
    """
    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", str(course), *args], capture_output=True,
                                  text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout if proc.returncode == 0 else None

    if git("rev-parse", "--show-toplevel") is None:
        return None
    diff = git("diff", "--name-only", "--relative", since, "--")
    if diff is None:
        raise UsageError(f"--since {since}: not a git revision of {course}")
    untracked = git("ls-files", "--others", "--exclude-standard") or ""
    paths = {p.strip() for p in (diff + untracked).splitlines() if p.strip()}
    changed = []
    for aid in list_assignments(course):
        assignment = load_assignment(course, aid)
        reference = f"{SOLUTIONS_DIR}/{assignment.submit}"
        if any(p.startswith(f"assignments/{aid}/") for p in paths):
            changed.append(aid)
        elif reference in paths:
            path = course / reference
            new = path.read_text(encoding="utf-8") if path.is_file() else ""
            if _touches(assignment, git("show", f"{since}:./{reference}"), new):
                changed.append(aid)
    return changed
