"""``dlgrade check``: a student runs the public checks on their own file.

Same checks and sandbox as grading (public checks only), so a student sees
exactly what grading will see for those checks. This module finds what to
check (the course or the student template, from the folder the student is in
or any folder below it; the student's file, or why it is not there), runs the
checks and maps the sandbox's paths back to the student's own.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from autograder.course.assignment import (
    Assignment,
    list_assignments,
    load_assignment,
    parse_submit,
)
from autograder.errors import ConfigError, UsageError
from autograder.results import SubmissionResult
from autograder.course.entry import read_entry
from autograder.course.limits import Limits
from autograder.course.submission import Submission

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# where the student's code runs: the sandbox's home, or a private temp folder
_SANDBOX_PATH = re.compile(r"(?:/home/student|/[^\s'\"]*?/dlgrade-student-[A-Za-z0-9_]+)"
                           r"(?=[/\s'\":,;)\]]|$)")
DEFAULT_ASSIGNMENT = "toolkit"  # the course's own template: the whole toolkit
NOT_HERE = ("run dlgrade check inside your copy of the student template (the folder with "
            "neural_network.py and tests/), or in a folder below it")


@dataclass
class SelfCheck:
    """The outcome of one ``dlgrade check`` run.

    Attributes:
        result: the checks' results, with the student's own paths in messages.
        assignment: the assignment's id.
        title: its title.
        protections: the sandbox mode the student's code ran in.
        file: the student's file that was checked (the graded one).
        functions: the assignment's functions in the course's order.
        files: every file that was checked (``file`` last): an assignment may
            name several (``submit = ["neural_network.py", "mlp.py"]``).
    """

    result: SubmissionResult
    assignment: str
    title: str
    protections: list[str]
    file: Path = Path("neural_network.py")
    functions: tuple[str, ...] = field(default_factory=tuple)
    files: tuple[Path, ...] = field(default_factory=tuple)


def find_root(start: Path) -> tuple[Path, str]:
    """The course root or student template holding ``start`` (or ``start`` itself).

    Returns:
        (root, kind): kind is ``"course"`` (a folder with ``assignments/``) or
        ``"template"`` (a folder with ``tests/<assignment>/test_*.py``).

    Raises:
        UsageError: neither in ``start`` nor in any folder above it.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "assignments").is_dir() and list_assignments(folder):
            return folder, "course"
        if (folder / "tests").is_dir() and any((folder / "tests").glob("*/test_*.py")):
            return folder, "template"
    raise UsageError(f"no checks found in {start} or the folders above it: {NOT_HERE}")


def template_assignment(root: Path, assignment_id: str) -> Assignment:
    """An assignment made from a student template's ``tests/<id>/`` folder
    (its ``assignment.toml`` gives the title, the functions' order and limits)."""
    tests = root / "tests" / assignment_id
    known = template_assignments(root)
    if not tests.is_dir() or not any(tests.glob("test_*.py")):
        raise UsageError(f"unknown assignment '{assignment_id}' "
                         f"(this folder has checks for: {', '.join(known) or 'none'})")
    data: dict[str, Any] = {}
    toml_path = tests / "assignment.toml"
    if toml_path.is_file():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{toml_path}: {exc}") from None
    limit_names = {f.name for f in fields(Limits)}
    limits = Limits(**{k: v for k, v in data.get("limits", {}).items() if k in limit_names})
    submitted = parse_submit(data.get("submit", "neural_network.py"), toml_path)
    return Assignment(id=assignment_id, title=str(data.get("title", assignment_id)),
                      submit=submitted[-1], also_submit=submitted[:-1],
                      functions=tuple(str(f) for f in data.get("functions", ())),
                      points={}, limits=limits, root=tests)


def student_file(folder: Path, submit: str, also: tuple[str, ...] = ()) -> Path:
    """The file to check in ``folder``: ``submit``, else the one notebook.

    ``also``: the other files the assignment submits (never taken for ``submit``).

    Raises:
        UsageError: ``submit`` is missing; names the misnamed file when there is one.
    """
    target = folder / submit
    if target.is_file():
        return target
    others = sorted(p.name for p in folder.glob("*.py")
                    if p.name not in ("conftest.py", "setup.py", *also)
                    and not p.name.startswith("."))
    if len(others) == 1:
        raise UsageError(f"no {submit} in {folder}: found '{others[0]}' — rename it to "
                         f"{submit}")
    if others:
        raise UsageError(f"no {submit} in {folder} (found {', '.join(repr(o) for o in others)})"
                         f": name your file {submit}, or run dlgrade check YOUR_FILE")
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) == 1:
        return notebooks[0]
    raise UsageError(f"no {submit} in {folder}: {NOT_HERE}")


def student_paths(text: str, folder: Path) -> str:
    """``text`` with the sandbox's folder replaced by the student's ``folder``."""
    return _SANDBOX_PATH.sub(lambda _: str(folder), text) if text else text


def _mapped(result: SubmissionResult, folder: Path) -> SubmissionResult:
    """The result with every path the sandbox shows mapped to the student's folder."""
    def fix(text: str) -> str:
        return student_paths(text, folder)

    checks = [replace(c, message=fix(c.message), hint=fix(c.hint)) for c in result.checks]
    cells = [{k: fix(v) if isinstance(v, str) else v for k, v in cell.items()}
             for cell in result.cell_errors]
    return replace(result, checks=checks, error=fix(result.error), cell_errors=cells,
                   output=fix(result.output))


def default_assignment(known: list[str]) -> str:
    """The assignment ``dlgrade check`` runs without ``-a``: ``toolkit`` when the
    course has one, else the course's only assignment.

    Raises:
        UsageError: neither exists: ``-a`` is needed.
    """
    if DEFAULT_ASSIGNMENT in known or not known:
        return DEFAULT_ASSIGNMENT
    if len(known) == 1:
        return known[0]
    raise UsageError(f"which assignment? pass -a with one of: {', '.join(known)}")


def template_assignments(root: Path) -> list[str]:
    """The assignments of a student template: its ``tests/<id>/`` folders with checks."""
    return sorted(p.name for p in (root / "tests").iterdir()
                  if p.is_dir() and any(p.glob("test_*.py")))


def with_other_files(sub: Submission, assignment: Assignment, folder: Path) -> list[Path]:
    """Add the files the assignment submits beside its graded one to ``sub``.

    Returns:
        The paths read, in ``submit`` order.

    Raises:
        UsageError: one of them is not in ``folder``.
    """
    read: list[Path] = []
    for name in assignment.also_submit:
        path = folder / name
        if not path.is_file():
            together = " and ".join(assignment.submit_files)
            raise UsageError(f"no {name} in {folder}: assignment '{assignment.id}' checks "
                             f"{together} together ({assignment.submit} imports from "
                             f"{name}); put your {name} beside it")
        sub.files[name] = path.read_text(encoding="utf-8", errors="replace")
        read.append(path.resolve())
    return read


def self_check(path: Path, *, assignment_id: str | None = None, course: Path | None = None,
               sandbox: str = "auto") -> SelfCheck:
    """Run the public checks of ``assignment_id`` on the student's file.

    Args:
        path: the student's file, or a folder of (or below) the student template.
        assignment_id: which assignment's public checks to run (default:
            :func:`default_assignment`).
        course: a course root to take the checks from (instructors).
        sandbox: the sandbox mode to run the student's code in.

    Raises:
        UsageError: no file to check, or no checks for that assignment.
    """
    folder = path.resolve() if path.is_dir() else path.resolve().parent
    root, kind = (course.resolve(), "course") if course is not None else find_root(folder)
    if assignment_id is None:
        assignment_id = default_assignment(list_assignments(root) if kind == "course"
                                           else template_assignments(root))
    if kind == "course":
        if assignment_id not in list_assignments(root):
            raise UsageError(f"unknown assignment '{assignment_id}' "
                             f"(known: {', '.join(list_assignments(root))})")
        assignment = load_assignment(root, assignment_id)
        files = assignment.check_files(hidden=False)
    else:
        assignment = template_assignment(root, assignment_id)
        files = sorted(assignment.root.glob("test_*.py"))
        if path.is_dir():
            folder = root  # the student's file lives at the top of the template
    # the student's own file: a link to it is fine here (grading refuses links)
    found = path if path.is_file() else student_file(folder, assignment.submit,
                                                     assignment.also_submit)
    target = found.resolve()
    sub = read_entry(target, entry=assignment.submit, assignment=assignment.id)
    sub.student = os.environ.get("USER", "you")
    others = with_other_files(sub, assignment, target.parent) if sub.kind == "py" else []
    from autograder.selfcheck.quickrun import run_public_checks

    result, protections = run_public_checks(assignment, sub, files, sandbox_mode=sandbox)
    return SelfCheck(result=_mapped(result, target.parent), assignment=assignment.id,
                     title=assignment.title, protections=protections, file=target,
                     functions=assignment.functions, files=(*others, target))
