"""One grading session: a pytest session and a sandbox zygote that grade a
stream of submissions, one after another, paying start-up costs once."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from autograder.course.assignment import Assignment
from autograder.course.submission import Submission
from autograder.errors import ConfigError, GraderFault
from autograder.grading.collection import run_pytest
from autograder.grading.diagnosis import load_diagnoser
from autograder.grading.plugin import Graded, GradingPlugin, GradingRunner
from autograder.grading.student import SandboxRunner
from autograder.grading.unsafe import UnsafeLocalRunner
from autograder.results import CheckSpec, SubmissionResult, now_iso
from autograder.runtime.checkrun import GRADER_ERROR, StudentError
from autograder.sandbox.client import Zygote
from autograder.sandbox.factory import open_sandbox
from autograder.sandbox.modes import SandboxMode


class InvalidRunner:
    """Stands in for a submission that could not be read: every call fails."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.import_error: str | None = message
        self.cell_errors: list[dict[str, Any]] = []
        self.events: list[str] = []

    def start(self) -> None:
        pass

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        raise StudentError(self.message, kind="import")

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


class Runners:
    """The runner of each submission, made when the plugin takes it.

    Args:
        submissions: the stream; its ``ready()``, when it has one, says whether
            the next submission has arrived (a list: always).
        make: a submission's runner.
    """

    def __init__(self, submissions: Iterable[Submission],
                 make: Callable[[Submission], GradingRunner]) -> None:
        self.submissions = submissions
        self.make = make

    def __iter__(self) -> Iterator[tuple[Submission, GradingRunner]]:
        for sub in self.submissions:
            yield sub, self.make(sub)

    def ready(self) -> bool:
        ready: Callable[[], bool] | None = getattr(self.submissions, "ready", None)
        return ready() if ready is not None else True


def run_session(*, assignment: Assignment, submissions: Iterable[Submission],
                emit: Callable[[SubmissionResult], None], hidden: bool = True,
                job: int = 0, sandbox_mode: SandboxMode | str = SandboxMode.AUTO,
                check_files: list[Path] | None = None,
                on_ready: Callable[[list[CheckSpec], Zygote], None] | None = None) -> None:
    """Grade ``submissions`` in order, calling ``emit`` with each result.

    ``sandbox_mode`` is a :class:`SandboxMode` (a forced mode that cannot run
    here is a grader fault: callers check availability first, see
    :func:`autograder.sandbox.modes.probe`), or ``"none"`` for trusted code
    only (:mod:`autograder.grading.unsafe`).

    Raises:
        GraderFault: the checks could not be collected or the sandbox failed.
    """
    zygote = open_sandbox(job=job, mode=SandboxMode.BASIC if sandbox_mode == "none"
                          else SandboxMode(sandbox_mode))
    zygotes = [zygote]  # the current one last: a zygote that dies is replaced
    module = Path(assignment.submit).stem

    def make_runner(sub: Submission) -> GradingRunner:
        if sub.kind == "invalid":
            return InvalidRunner(f"your submission could not be read: {sub.error}")
        if sandbox_mode == "none":
            return UnsafeLocalRunner(sub, module)
        if zygotes[-1].proc.poll() is not None:  # the zygote died: start a new one
            zygotes.append(open_sandbox(job=job, mode=SandboxMode(sandbox_mode)))
        return SandboxRunner(zygotes[-1], files=sub.files, spec=sub.spec(module),
                             limits=assignment.limits, expected=assignment.submit_files)

    def collected(specs: list[CheckSpec]) -> None:
        if hidden:
            validate_points(assignment, specs)
        if on_ready is not None:
            on_ready(specs, zygote)

    plugin = GradingPlugin(
        runners=Runners(submissions, make_runner),
        emit=lambda graded: emit(to_result(graded, assignment.id)),
        diagnose=load_diagnoser(assignment.mistakes_file if hidden else None),
        on_collected=collected,
    )
    files = check_files if check_files is not None else assignment.check_files(hidden=hidden)
    try:
        try:
            code = run_pytest(files, plugin)
        except ConfigError as exc:
            raise GraderFault(str(exc)) from None
        if plugin.collect_errors or code not in (0, 1):
            detail = "\n".join(plugin.collect_errors) or f"pytest exit code {int(code)}"
            raise GraderFault(f"the checks of '{assignment.id}' could not run:\n{detail}")
    finally:
        zygotes[-1].close()
