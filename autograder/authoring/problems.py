"""What ``dlgrade lint`` reports: a problem at ``file:line``, and the helpers that find the line.

Every problem names a file and, when there is one, a line, compiler style:
``assignments/toolkit/public/test_relu.py:12: check 'relu_x' has no @pytest.mark.points``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.results import CheckSpec

SOLUTIONS_DIR = "solutions"
REFERENCE = "__reference__"  # the unmutated control graded before every batch of mutants
TEMPLATE_DIR = "student_template"
VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class Problem:
    """One authoring error: where it is and what is wrong."""

    file: Path
    line: int | None
    message: str

    def render(self, course_root: Path) -> str:
        """``path:line: message``, the path relative to the course when inside it."""
        try:
            shown = self.file.resolve().relative_to(course_root.resolve()).as_posix()
        except ValueError:
            shown = str(self.file)
        return f"{shown}:{self.line}: {self.message}" if self.line else f"{shown}: {self.message}"


@dataclass(frozen=True)
class Located:
    """A collected check (one parametrize case) and where its function is written."""

    spec: CheckSpec
    file: Path
    line: int | None


@dataclass
class Report:
    """What :func:`lint` found, per assignment."""

    course_root: Path
    assignments: list[str]
    problems: list[Problem] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)  # assignment -> checks collected

    def lines(self) -> list[str]:
        """Every problem as ``path:line: message``, in the order found."""
        return [p.render(self.course_root) for p in self.problems]


def def_lines(path: Path, cache: dict[Path, dict[str, int]]) -> dict[str, int]:
    """Function name -> line of its ``def`` in ``path`` (top level)."""
    if path not in cache:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, UnicodeDecodeError, OSError):
            tree = ast.Module(body=[], type_ignores=[])
        cache[path] = {n.name: n.lineno for n in tree.body
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return cache[path]


def toml_line(toml: Path, key: str, *, table: str | None = None) -> int | None:
    """The line of ``key = ...`` in ``assignment.toml`` (inside ``[table]`` if given)."""
    current: str | None = None
    try:
        lines = toml.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, text in enumerate(lines, start=1):
        header = re.match(r"\s*\[([^\]]+)\]", text)
        if header:
            current = header.group(1).strip()
        elif current == table and re.match(rf"\s*{re.escape(key)}\s*=", text):
            return number
    return None


def defined_functions(path: Path) -> set[str]:
    """The names of the functions defined at the top level of ``path``."""
    return set(def_lines(path, {}))


def check_location(located: list[Located], check: str,
                   fallback: Path) -> tuple[Path, int | None]:
    """The file and line of check ``check`` (``fallback`` and no line when not found)."""
    for c in located:
        if c.spec.id == check:
            return c.file, c.line
    return fallback, None
