"""Checks inside a Jupyter notebook: ``check("relu")`` right after the cell defining relu.

    from autograder.notebook import check, check_all

    check("relu")        # the public checks of relu, on the relu of this notebook
    check("relu", hints=True)     # and, under each failure, how to fix it
    check("relu_course_matrix")   # one check, by the name dlgrade check shows
    check_all()          # every function of the assignment: what passes, what is next

The checks are the public checks of the course (the student template's
``tests/<assignment>/``, or a course's ``assignments/<assignment>/public/``,
found from the notebook's folder or a folder above it). They run in the
kernel's own process against the functions the notebook defines *now*: this
is the student's own code on the student's own machine, so there is no
sandbox, and an endless loop is stopped with the kernel's interrupt button.
The checks are read and run by the light runner ``dlgrade check`` uses
(:mod:`autograder.runtime.lightrun`), with dlgrade's own fixtures, seeds and
messages (:mod:`autograder.runtime.checkrun`), so the messages are those of
``dlgrade check``. Nothing here uses PATH or a
subprocess: it works in a kernel whose virtual environment was never
activated.

When the notebook is graded (its cells run in dlgrade's sandbox, not as
``__main__``), ``check`` and ``check_all`` do nothing.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from autograder import checklib
from autograder.runtime import checkrun
from autograder.runtime.lightrun import Check, NeedsPytest, collect, collect_file, run_checks
from autograder.notebook_report import GRADING_NOTE, HINTS_NOTE, NOT_WRITTEN, Report, Row
from autograder.sandbox import helpers

__all__ = ["GRADING_NOTE", "HINTS_NOTE", "NOT_WRITTEN", "Report", "Row", "Source", "check",
           "check_all", "find_assignments", "preload", "run"]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# ---------------------------------------------------------------- finding the checks


@dataclass(frozen=True)
class Source:
    """Where one assignment's public checks live."""

    id: str
    title: str
    functions: tuple[str, ...]
    files: tuple[Path, ...]


def find_assignments(start: Path) -> list[Source]:
    """The assignments with public checks, from ``start`` or the nearest folder above it.

    A student template has ``tests/<id>/``; a course has ``assignments/<id>/public/``.
    """
    for folder in (start, *start.parents):
        found = []
        for toml in sorted(folder.glob("tests/*/assignment.toml")):
            found.append(_source(toml, toml.parent))
        for toml in sorted(folder.glob("assignments/*/assignment.toml")):
            found.append(_source(toml, toml.parent / "public"))
        found = [s for s in found if s.files]
        if found:
            return found
    return []


def _source(toml: Path, checks: Path) -> Source:
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    return Source(id=toml.parent.name, title=str(data.get("title", toml.parent.name)),
                  functions=tuple(data.get("functions", ())),
                  files=tuple(sorted(checks.glob("test_*.py"))))


# ---------------------------------------------------------------- running


def _select(names: tuple[str, ...], sources: list[Source], assignment: str | None, *,
            real_pytest: bool | None = None) -> tuple[Source, list[Check]]:
    """The assignment to use and its checks matching ``names`` (functions or check ids)."""
    if assignment is not None:
        chosen = [s for s in sources if s.id == assignment]
        if not chosen:
            known = ", ".join(s.id for s in sources)
            raise LookupError(f"unknown assignment '{assignment}' (known: {known})")
        sources = chosen
    best: tuple[Source, list[Check]] | None = None
    for source in sources:
        checks = [c for c in collect(source.files, real_pytest=real_pytest)
                  if c.visibility == "public"]
        if names:
            wanted = [c for c in checks if c.function in names or c.id in names]
            if not all(any(n in (c.function, c.id) for c in wanted) for n in names):
                continue
            checks = wanted
        # a function in several assignments: the smallest one (Part 3.2 before the toolkit)
        if best is None or len(source.functions) < len(best[0].functions):
            best = (source, checks)
    if best is None:
        functions = sorted({f for s in sources for f in s.functions})
        raise LookupError(f"no public checks named {', '.join(map(repr, names))} "
                          f"(functions: {', '.join(functions)})")
    return best


def run(names: tuple[str, ...], namespace: Mapping[str, Any], *, folder: Path,
        assignment: str | None = None, summary: bool = False, hints: bool = False) -> Report:
    """Run public checks against the functions of ``namespace``.

    Args:
        names: functions or check ids; empty: every check of the assignment.
        namespace: where the student's functions live (the notebook's globals).
        folder: where to look for the checks (and above it).
        assignment: the assignment id; default: the smallest that has ``names``.
        summary: one line per function (``check_all``) rather than one per check.
        hints: show each failure's hint (how to fix it) under its message.

    Returns:
        The report (its ``problem`` says why nothing ran, if so).
    """
    title = ", ".join(names) if names else "all functions"
    sources = find_assignments(folder)
    if not sources:
        return Report(title=title, problem=(
            f"No checks found in '{folder}' or above it: open this notebook from your copy "
            "of the student template (the folder with tests/)."))
    student = checkrun.InProcessStudent(namespace)
    try:
        try:
            source, checks = _select(names, sources, assignment)
            with contextlib.redirect_stdout(io.StringIO()):  # the table, not the prints
                ran = run_checks(checks, student, checklib=checklib, helpers=helpers)
        except NeedsPytest:
            # the checks use pytest itself (pytest.approx, say): read them with it
            source, checks = _select(names, sources, assignment, real_pytest=True)
            with contextlib.redirect_stdout(io.StringIO()):
                ran = run_checks(checks, student, checklib=checklib, helpers=helpers)
    except LookupError as exc:
        return Report(title=title, problem=str(exc.args[0]))
    except NeedsPytest as exc:
        return Report(title=title, problem=(
            f"check() cannot run these checks here ({exc}): run dlgrade check in a terminal, "
            "which can."))
    rows = []
    for item in ran:
        message = item.message
        if item.outcome == checkrun.GRADER_ERROR:
            message = f"{message} ({item.detail})"
        rows.append(Row(check=item.check.id, function=item.check.function,
                        outcome=item.outcome, points=item.points,
                        max_points=item.check.points, message=message,
                        hint=item.hint))
    functions = source.functions if summary else tuple(dict.fromkeys(r.function for r in rows))
    return Report(title=source.title if summary else title, rows=rows, functions=functions,
                  summary=summary, hints=hints)


def preload(folder: Path) -> threading.Thread:
    """Import the check files found from ``folder`` in a background thread.

    Importing them is most of the first ``check()``'s time; in a Jupyter
    kernel this starts when the notebook imports this module, while the
    student is still writing code.
    """

    def load() -> None:
        try:
            for source in find_assignments(folder):
                for path in source.files:
                    collect_file(path)
        except Exception:  # noqa: BLE001 - check() reports any problem itself
            pass

    thread = threading.Thread(target=load, name="dlgrade-preload", daemon=True)
    thread.start()
    return thread


_PRELOAD = preload(Path.cwd()) if "ipykernel" in sys.modules else None


def _caller_namespace() -> Mapping[str, Any]:
    return sys._getframe(2).f_globals


def check(*names: str, assignment: str | None = None, hints: bool = False) -> Report | None:
    """Run the public checks of functions (or single checks, by id) on this notebook's code.

    Args:
        names: e.g. ``"relu"``, or a check's id such as ``"relu_course_matrix"``.
        assignment: which assignment's checks; default: the smallest one that has them.
        hints: also show, under each failure, a hint on how to fix it (the second
            level of feedback, as ``dlgrade check --hints``).

    Returns:
        A report, shown as a table by Jupyter; None while the notebook is being graded.
    """
    namespace = _caller_namespace()
    if namespace.get("__name__") != "__main__":
        return None  # imported or graded: the grader runs its own checks
    return run(names, namespace, folder=Path.cwd(), assignment=assignment, hints=hints)


def check_all(assignment: str | None = None) -> Report | None:
    """Every function of the assignment: which pass their public checks, and what is next.

    Args:
        assignment: which assignment; default: the smallest one (``activations``
            in the student template).
    """
    namespace = _caller_namespace()
    if namespace.get("__name__") != "__main__":
        return None
    return run((), namespace, folder=Path.cwd(), assignment=assignment, summary=True)
