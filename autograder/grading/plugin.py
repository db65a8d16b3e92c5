"""The pytest plugin that turns check files into grades.

One pytest session collects an assignment's checks once
(:mod:`autograder.grading.collection`), then grades many submissions:
:meth:`GradingPlugin.pytest_runtestloop` takes ``(submission, runner)`` pairs
from the session and runs every collected check against each, giving checks
the ``student`` of that runner. Points, visibility and the toolkit function
come from markers:

    @pytest.mark.points(2)
    @pytest.mark.visibility("public")
    @pytest.mark.tags("softmax")
    def test_softmax_rows_sum_to_one(student, expect, rng): ...

A check that uses only our fixtures (every check the courses ship) is called
directly; a check with a fixture of its own (``tmp_path``, a course-defined
one: ``dlgrade grade`` accepts them, only the nbgrader notebook refuses them)
goes through pytest's runner, and the ``pytest_runtest_makereport`` wrapper
classifies its outcome. The plugin calls back the session only to hand over
the collected checks and each submission's grades.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Generator, Protocol, cast

import numpy as np
import pytest
from _pytest.runner import runtestprotocol

from autograder import checklib
from autograder.grading.collection import Collector, spec_of
from autograder.grading.collection import check_id
from autograder.grading.diagnosis import Diagnoser
from autograder.grading.student import Runner, Student
from autograder.results import CheckResult
from autograder.results import CheckSpec
from autograder.runtime import checkrun
from autograder.runtime.checkrun import FAILED, GRADER_ERROR, PASSED
from autograder.sandbox import helpers as helper_module

OUR_FIXTURES = set(checkrun.FIXTURES)


class GradingRunner(Runner, Protocol):
    """What grades one submission: loads it (``start``), runs calls, ends (``close``)."""

    import_error: str | None
    cell_errors: list[dict[str, Any]]
    events: list[str]

    def start(self) -> None: ...

    def close(self) -> str: ...


class RunnerStream(Protocol):
    """``(submission, runner)`` pairs; ``ready()``: is the next one there already?"""

    def __iter__(self) -> Any: ...

    def ready(self) -> bool: ...


@dataclass
class Graded:
    """What one submission's run produced, before it becomes a result."""

    job: Any
    checks: list[CheckResult]
    runner: GradingRunner
    duration: float


class GradingPlugin(Collector):
    """Grades every submission ``runners`` yields against the collected checks.

    Args:
        runners: the session's ``(submission, runner)`` pairs, made as they are taken.
        emit: receives a :class:`Graded` per submission, in order.
        diagnose: the known-mistake diagnoser, or None.
        on_collected: receives the list of :class:`CheckSpec` once collected.
    """

    def __init__(self, *, runners: RunnerStream, emit: Callable[[Graded], None],
                 diagnose: Diagnoser | None = None,
                 on_collected: Callable[[list[CheckSpec]], None] | None = None) -> None:
        super().__init__()
        self.runners = runners
        self.emit = emit
        self.diagnose = diagnose
        self.on_collected = on_collected
        self.specs: dict[str, CheckSpec] = {}
        self.spec_errors: list[str] = []
        self._student: Student | None = None

    # -------------------------------------------------------------- collection

    @property
    def collect_errors(self) -> list[str]:
        """Why the checks cannot run: collection errors, then bad markers or ids."""
        return self.error_lines() + self.spec_errors

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        try:
            for item in items:
                spec = spec_of(item)
                if spec.id in {s.id for s in self.specs.values()}:
                    raise pytest.UsageError(f"two checks are both called '{spec.id}'")
                self.specs[item.nodeid] = spec
            if not items:
                raise pytest.UsageError("no checks were collected")
            if self.on_collected is not None:
                self.on_collected(list(self.specs.values()))
        except Exception as exc:  # noqa: BLE001 - reported by the session as a grader fault
            self.spec_errors.append(str(exc))

    # -------------------------------------------------------------- fixtures

    @pytest.fixture
    def student(self) -> Student:
        assert self._student is not None, "no submission is being graded"
        return self._student

    @pytest.fixture
    def expect(self, request: pytest.FixtureRequest) -> checklib.Expect:
        spec = self.specs.get(request.node.nodeid)
        return checklib.Expect(hidden=spec is not None and spec.visibility == "hidden",
                               diagnose=self.diagnose)

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A private generator, seeded by the check's name: same inputs for everyone."""
        return checkrun.make_rng(check_id(request.node))

    @pytest.fixture
    def helpers(self) -> Any:
        return helper_module

    # -------------------------------------------------------------- running

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        """Classify the outcome of a check run by pytest's runner (the fallback)."""
        outcome: Any = yield
        report = outcome.get_result()
        if call.excinfo is None:
            report.dlgrade = (PASSED, "", "")
        else:
            report.dlgrade = self.classify(call.excinfo.value, item.nodeid)
            report.dlgrade_hint = str(getattr(call.excinfo.value, "hint", "") or "")

    def classify(self, exc: BaseException, nodeid: str) -> tuple[str, str, str]:
        """(outcome, message for the student, detail for the instructor)."""
        spec = self.specs.get(nodeid)
        outcome, message, detail = checkrun.classify(
            exc, hidden=spec is not None and spec.visibility == "hidden",
            check_failed=checklib.CheckFailed)
        return outcome, message, f"{detail} [{nodeid}]" if detail else ""

    def fixture_values(self, item: pytest.Function) -> dict[str, Any] | None:
        """Arguments for calling a check directly, or None if it needs pytest's
        fixture machinery (a fixture other than ours)."""
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        wanted = [n for n in item.fixturenames if n not in params and n != "request"]
        if not set(wanted) <= OUR_FIXTURES:
            return None  # e.g. tmp_path, or an autouse fixture
        spec = self.specs[item.nodeid]
        given = checkrun.fixtures(spec.id, hidden=spec.visibility == "hidden",
                                  student=self._student, checklib=checklib,
                                  helpers=helper_module, diagnose=self.diagnose)
        return {**{n: given[n] for n in wanted}, **params}

    def run_item(self, item: pytest.Function) -> CheckResult:
        """Run one check against the current submission.

        Checks that use only our fixtures are called directly (about a
        thousand times cheaper than pytest's setup/call/teardown protocol);
        any other check goes through pytest's runner and the report hook.
        """
        spec = self.specs[item.nodeid]
        start = time.perf_counter()
        outcome, message, detail, hint = PASSED, "", "", ""
        kwargs = self.fixture_values(item)
        if kwargs is not None:
            try:
                item.obj(**kwargs)
            except Exception as exc:  # noqa: BLE001 - classified below
                outcome, message, detail = self.classify(exc, item.nodeid)
                hint = str(getattr(exc, "hint", "") or "")
            reports = []
        else:
            reports = runtestprotocol(item, log=False, nextitem=None)
        duration = time.perf_counter() - start
        for report in reports:
            verdict = getattr(report, "dlgrade", None)
            if report.failed and verdict and verdict[0] != PASSED:
                outcome, message, detail = verdict
                hint = getattr(report, "dlgrade_hint", "")
                break
            if report.skipped:
                outcome, message = GRADER_ERROR, "skipped"
                detail = f"check skipped: {report.longreprtext[-300:]}"
                break
        return CheckResult(check=spec.id, function=spec.function,
                           points=spec.points if outcome == PASSED else 0.0,
                           max_points=spec.points, visibility=spec.visibility,
                           outcome=outcome, message=message, duration=round(duration, 5),
                           detail=detail, hint=hint if outcome == FAILED else "")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        """Grade each submission in turn with every collected check."""
        if self.collect_errors:
            return True  # the session reports them as a grader fault
        pairs = iter(self.runners)
        current: tuple[Any, GradingRunner] | None = next(pairs, None)
        while current is not None:
            job, runner = current
            start = time.perf_counter()
            self._student = Student(runner)
            runner.start()
            # when the next submission is already there, its worker starts loading
            # while this one is graded (never wait for it: results must flow)
            upcoming = next(pairs, None) if self.runners.ready() else None
            if upcoming is not None and hasattr(upcoming[1], "prefetch"):
                upcoming[1].prefetch()
            # every item is a pytest.Function: only the python collector runs (no doctest)
            checks = [self.run_item(cast(pytest.Function, item)) for item in session.items]
            self._student = None
            self.emit(Graded(job=job, checks=checks, runner=runner,
                             duration=time.perf_counter() - start))
            current = upcoming if upcoming is not None else next(pairs, None)
        return True
