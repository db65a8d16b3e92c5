"""One grading session: a pytest session and a sandbox zygote that grade a
stream of submissions, one after another, paying start-up costs once."""

from __future__ import annotations

import contextlib
import io
import os
import types
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

from autograder.course.assignment import Assignment
from autograder.errors import ConfigError, GraderFault
from autograder.grading.plugin import Graded, GradingPlugin, load_diagnoser, pytest_args
from autograder.results import CheckSpec, GRADER_ERROR, SubmissionResult, now_iso
from autograder.sandbox.client import Zygote
from autograder.sandbox.factory import open_sandbox
from autograder.sandbox.modes import SandboxMode
from autograder.grading.student import LocalRunner, SandboxRunner, StudentError
from autograder.course.submission import Submission


class InvalidRunner:
    """Stands in for a submission that could not be read: every call fails."""

    def __init__(self, message: str) -> None:
        self.import_error = message
        self.cell_errors: list[dict] = []
        self.events: list[str] = []

    def start(self) -> None:
        pass

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        raise StudentError(self.import_error, kind="import")

    def close(self) -> str:
        return ""


class UnsafeLocalRunner(LocalRunner):
    """Runs the student's code IN THIS PROCESS: no protection at all.

    Only for ``bench/`` (the unsandboxed floor the sandbox is compared with)."""

    def __init__(self, sub: Submission, module_name: str) -> None:
        module = types.ModuleType(module_name)
        self.import_error: str | None = None
        self.cell_errors: list[dict] = []
        self.events: list[str] = []
        sources = sub.cells if sub.kind == "notebook" else [sub.files.get(sub.entry, "")]
        with contextlib.redirect_stdout(io.StringIO()):
            for index, source in enumerate(sources):
                try:
                    exec(compile(source, f"<cell {index + 1}>", "exec"), module.__dict__)
                except Exception as exc:  # noqa: BLE001
                    if sub.kind != "notebook":
                        self.import_error = f"{type(exc).__name__}: {exc}"
                    self.cell_errors.append({"cell": index + 1, "type": type(exc).__name__})
        super().__init__(module)

    def start(self) -> None:
        pass

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        if self.import_error:
            raise StudentError(self.import_error, kind="import")
        with contextlib.redirect_stdout(io.StringIO()):
            return super().call(name, args, kwargs)

    def close(self) -> str:
        return ""



def to_result(graded: Graded, assignment: str) -> SubmissionResult:
    sub: Submission = graded.job
    runner = graded.runner
    output = runner.close()
    if sub.kind == "invalid":
        status, error = "invalid", sub.error
    elif runner.import_error:
        status, error = "load_failed", runner.import_error
    else:
        status, error = "graded", ""
    if any(c.outcome == GRADER_ERROR for c in graded.checks):
        status = "grader_error" if status == "graded" else status
    return SubmissionResult(
        student=sub.student, assignment=assignment, content_hash=sub.content_hash,
        checks=graded.checks, status=status, error=error,
        cell_errors=list(runner.cell_errors), events=list(runner.events), output=output,
        duration=round(graded.duration, 4), graded_at=now_iso(),
    )


def validate_points(assignment: Assignment, specs: list[CheckSpec]) -> None:
    """The checks' points must add up to assignment.toml's [points]."""
    totals: dict[str, float] = {}
    for spec in specs:
        if spec.function not in assignment.points:
            raise ConfigError(f"check '{spec.id}' is tagged '{spec.function}', which is not "
                              f"a function of assignment '{assignment.id}'")
        totals[spec.function] = totals.get(spec.function, 0.0) + spec.points
    for function, points in assignment.points.items():
        if abs(totals.get(function, 0.0) - points) > 1e-9:
            raise ConfigError(f"assignment '{assignment.id}': the checks of {function} are "
                              f"worth {totals.get(function, 0.0):g} points, but "
                              f"assignment.toml says {points:g}")


def run_session(*, assignment: Assignment, submissions: Iterable[Submission],
                emit: Callable[[SubmissionResult], None], hidden: bool = True,
                job: int = 0, sandbox_mode: SandboxMode | str = SandboxMode.AUTO,
                check_files: list[Path] | None = None,
                on_ready: Callable[[list[CheckSpec], Zygote], None] | None = None) -> None:
    """Grade ``submissions`` in order, calling ``emit`` with each result.

    ``sandbox_mode`` is a :class:`SandboxMode` (a forced mode that cannot run
    here is a grader fault: callers check availability first, see
    :func:`autograder.sandbox.modes.probe`), or ``"none"`` for ``bench/``'s
    unsandboxed floor.

    Raises:
        GraderFault: the checks could not be collected or the sandbox failed.
    """
    zygote = open_sandbox(job=job, mode=SandboxMode.BASIC if sandbox_mode == "none"
                          else SandboxMode(sandbox_mode))
    state = {"zygote": zygote}
    module = Path(assignment.submit).stem

    def make_runner(sub: Submission) -> Any:
        if sub.kind == "invalid":
            return InvalidRunner(f"your submission could not be read: {sub.error}")
        if sandbox_mode == "none":
            return UnsafeLocalRunner(sub, module)
        if state["zygote"].proc.poll() is not None:  # the zygote died: start a new one
            state["zygote"] = open_sandbox(job=job, mode=sandbox_mode)
        return SandboxRunner(state["zygote"], files=sub.files, spec=sub.spec(module),
                             limits=assignment.limits)

    def collected(specs: list[CheckSpec]) -> None:
        if hidden:
            validate_points(assignment, specs)
        if on_ready is not None:
            on_ready(specs, zygote)

    plugin = GradingPlugin(
        source=submissions, make_runner=make_runner,
        emit=lambda graded: emit(to_result(graded, assignment.id)),
        diagnose=load_diagnoser(assignment.mistakes_file if hidden else None),
        on_collected=collected,
    )
    files = check_files if check_files is not None else assignment.check_files(hidden=hidden)
    try:
        with tempfile.TemporaryDirectory(prefix="dlgrade-pytest-") as tmp:
            ini = Path(tmp) / "pytest.ini"
            ini.write_text("[pytest]\n")
            # third-party pytest plugins (trio, anyio, hypothesis...) are not needed to
            # grade and cost start-up time: load none of them
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
            try:
                code = pytest.main(pytest_args(files, ini), plugins=[plugin])
            except ConfigError as exc:
                raise GraderFault(str(exc)) from None
            if plugin.collect_errors or code not in (0, 1):
                detail = "\n".join(plugin.collect_errors) or f"pytest exit code {int(code)}"
                raise GraderFault(f"the checks of '{assignment.id}' could not run:\n{detail}")
    finally:
        state["zygote"].close()
