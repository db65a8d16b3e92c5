"""``dlgrade check``: a student runs the public checks on their own file.

Same engine and sandbox as grading (public checks only), so a student sees
exactly what grading will see for those checks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment, find_course, list_assignments, load_assignment
from autograder.errors import UsageError
from autograder.results import SubmissionResult
from autograder.sandbox.client import Limits
from autograder.sandbox.modes import SandboxMode
from autograder.session import run_session
from autograder.submission import read_entry


@dataclass
class SelfCheck:
    """The outcome of one ``dlgrade check`` run."""

    result: SubmissionResult
    assignment: str
    title: str
    protections: list[str]


def _template_assignment(folder: Path, assignment_id: str) -> Assignment:
    """An assignment made from a student template's ``tests/<id>/`` folder."""
    tests = folder / "tests" / assignment_id
    known = sorted(p.name for p in (folder / "tests").iterdir()
                   if p.is_dir() and not p.name.startswith(("_", ".")))
    if not tests.is_dir():
        raise UsageError(f"unknown assignment '{assignment_id}' "
                         f"(this folder has checks for: {', '.join(known) or 'none'})")
    return Assignment(id=assignment_id, title=assignment_id, submit="neural_network.py",
                      functions=(), points={}, limits=Limits(), root=tests)


def self_check(path: Path, *, assignment_id: str = "toolkit",
               course: Path | None = None,
               sandbox: SandboxMode = SandboxMode.AUTO) -> SelfCheck:
    """Run the public checks of ``assignment_id`` on the code in ``path``.

    The checks come from ``path/tests/<assignment>/`` (the student template),
    or from a course (``--course``, or ``path`` itself being a course root).

    Raises:
        UsageError: no file to check, or no checks for that assignment.
    """
    folder = path if path.is_dir() else path.parent
    if course is not None or (folder / "assignments").is_dir():
        root = find_course(course or folder)
        if assignment_id not in list_assignments(root):
            raise UsageError(f"unknown assignment '{assignment_id}' "
                             f"(known: {', '.join(list_assignments(root))})")
        assignment = load_assignment(root, assignment_id)
        files = assignment.check_files(hidden=False)
    elif (folder / "tests").is_dir():
        assignment = _template_assignment(folder, assignment_id)
        files = sorted(assignment.root.glob("test_*.py"))
    else:
        raise UsageError(f"no checks found: '{folder}' has no tests/ folder (run dlgrade "
                         "check inside your copy of the student template, or pass --course)")
    target = path if path.is_file() else folder / "neural_network.py"
    if not target.is_file():
        notebooks = sorted(folder.glob("*.ipynb")) if path.is_dir() else []
        if len(notebooks) != 1:
            raise UsageError(f"no neural_network.py in '{folder}' (pass the file or a "
                             "notebook as PATH)")
        target = notebooks[0]
    # your own file: a link to it is fine here (grading refuses links)
    sub = read_entry(target.resolve(), entry="neural_network.py", assignment=assignment.id)
    sub.student = os.environ.get("USER", "you")
    results: list[SubmissionResult] = []
    protections: list[str] = []
    run_session(assignment=assignment, submissions=[sub], emit=results.append, hidden=False,
                check_files=files, sandbox_mode=sandbox,
                on_ready=lambda specs, zygote: protections.extend([zygote.mode]))
    return SelfCheck(result=results[0], assignment=assignment.id, title=assignment.title,
                     protections=protections)
