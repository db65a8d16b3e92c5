"""The pytest plugin that turns check files into grades.

One pytest session collects an assignment's checks once, then grades many
submissions: :meth:`GradingPlugin.pytest_runtestloop` takes submissions from a
source and runs every collected check against each, swapping the ``student``
fixture. Points, visibility and the toolkit function come from markers:

    @pytest.mark.points(2)
    @pytest.mark.visibility("public")
    @pytest.mark.tags("softmax")
    def test_softmax_rows_sum_to_one(student, expect, rng): ...

A ``pytest_runtest_makereport`` wrapper classifies each outcome (passed,
failed, error in student code, grader error); results go to a callback.
"""

from __future__ import annotations

import copy
import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pytest
from _pytest.runner import runtestprotocol

from autograder import checklib
from autograder.results import FAILED, GRADER_ERROR, PASSED, CheckResult, CheckSpec
from autograder.runtime import checkrun
from autograder.runtime.checkrun import HIDDEN_GENERIC, MARKERS  # noqa: F401 - re-exported
from autograder.sandbox import helpers as helper_module
from autograder.grading.student import Student

# diagnose(fn, args, got) -> the cause, or (cause, fix), or None (see checklib.Expect.fail)
Diagnoser = Callable[[str, Any, Any], "str | tuple[str, str] | None"]
OUR_FIXTURES = set(checkrun.FIXTURES)


def check_id(item: pytest.Item) -> str:
    """The id of a collected check (see :func:`checkrun.check_id`)."""
    return checkrun.check_id(item.name)


def spec_of(item: pytest.Item) -> CheckSpec:
    def marker_arg(name: str) -> Any:
        marker = item.get_closest_marker(name)
        if marker is None or not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: every check needs @pytest.mark.{name}(...)")
        return marker.args[0]

    visibility = marker_arg("visibility")
    if visibility not in ("public", "hidden"):
        raise pytest.UsageError(f"{item.nodeid}: visibility must be 'public' or 'hidden'")
    return CheckSpec(id=check_id(item), function=str(marker_arg("tags")),
                     points=float(marker_arg("points")), visibility=visibility,
                     nodeid=item.nodeid)


def load_diagnoser(mistakes_file: Path | None) -> Diagnoser | None:
    """Build ``diagnose(fn, args, got)`` from a course's library of known mistakes.

    The library (``assignments/mistakes.py``) maps a toolkit function to
    ``(message, wrong_implementation)`` pairs; a wrong implementation's ``hint``
    attribute, when set, is how to fix it (the second level of feedback).
    Diagnosis runs each wrong implementation on the check's input, here on the
    trusted side, and names the first whose output equals what the student
    returned.
    """
    if mistakes_file is None:
        return None
    spec = importlib.util.spec_from_file_location("_dlgrade_course_mistakes", mistakes_file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    library: dict[str, list[tuple[str, Callable[..., Any]]]] = module.MISTAKES

    def diagnose(fn: str, args: Any, got: Any) -> str | tuple[str, str] | None:
        for message, wrong in library.get(fn, []):
            try:
                with np.errstate(all="ignore"):
                    candidate = wrong(*copy.deepcopy(tuple(args)))
            except Exception:  # noqa: BLE001 - a variant may not apply to this input
                continue
            if same_output(candidate, got):
                # the fix (second level) is kept apart from the cause: see mistake(hint=)
                return message, str(getattr(wrong, "hint", ""))
        return None

    return diagnose


def same_output(a: Any, b: Any) -> bool:
    """Do two outputs agree (arrays up to float noise, nan matching nan)?"""
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_output(a[k], b[k]) for k in a))
    if isinstance(a, tuple) and isinstance(b, (tuple, list)) and len(a) == len(b):
        return all(same_output(x, y) for x, y in zip(a, b, strict=True))
    try:
        x = np.asarray(a)
        y = np.asarray(b)
    except Exception:  # noqa: BLE001
        return False
    if x.shape != y.shape or x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
        return False
    if (x.dtype.kind == "b") != (y.dtype.kind == "b"):
        return False
    return bool(np.allclose(x.astype(float), y.astype(float), rtol=1e-6, atol=1e-9,
                            equal_nan=True))


@dataclass
class Graded:
    """What one submission's run produced, before it becomes a result."""

    job: Any
    checks: list[CheckResult]
    runner: Any
    duration: float


class GradingPlugin:
    """Grades every submission a source yields against the collected checks.

    Args:
        source: yields jobs; ``make_runner(job)`` turns one into a runner.
        make_runner: returns an object with ``call``/``start``/``close``.
        emit: receives a :class:`Graded` per job, in order.
        diagnose: the known-mistake diagnoser, or None.
        on_collected: receives the list of :class:`CheckSpec` once collected.
    """

    def __init__(self, *, source: Iterable[Any], make_runner: Callable[[Any], Any],
                 emit: Callable[[Graded], None],
                 diagnose: Diagnoser | None = None,
                 on_collected: Callable[[list[CheckSpec]], None] | None = None) -> None:
        self.source = source
        self.make_runner = make_runner
        self.emit = emit
        self.diagnose = diagnose
        self.on_collected = on_collected
        self.specs: dict[str, CheckSpec] = {}
        self.collect_errors: list[str] = []
        self._student: Student | None = None

    # -------------------------------------------------------------- config

    def pytest_configure(self, config: pytest.Config) -> None:
        for name, doc in MARKERS.items():
            config.addinivalue_line("markers", f"{name}: {doc}")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

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
            self.collect_errors.append(str(exc))

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
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator:
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

    def fixture_values(self, item: pytest.Item) -> dict[str, Any] | None:
        """Arguments for calling a check directly, or None if it needs pytest's
        fixture machinery (a fixture other than ours)."""
        if not isinstance(item, pytest.Function):
            return None
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

    def run_item(self, item: pytest.Item) -> CheckResult:
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
                item.obj(**kwargs)  # type: ignore[attr-defined]
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
        if self.collect_errors:
            return True  # the session reports them as a grader fault
        items = list(session.items)
        ready = getattr(self.source, "ready", lambda: True)  # a list is always ready
        jobs = iter(self.source)
        job = next(jobs, None)
        runner = self.make_runner(job) if job is not None else None
        while job is not None and runner is not None:
            start = time.perf_counter()
            self._student = Student(runner)
            runner.start()
            # when the next submission is already there, its worker starts loading
            # while this one is graded (never wait for it: results must flow)
            upcoming = next(jobs, None) if ready() else None
            next_runner = self.make_runner(upcoming) if upcoming is not None else None
            if next_runner is not None and hasattr(next_runner, "prefetch"):
                next_runner.prefetch()
            checks = [self.run_item(item) for item in items]
            self._student = None
            self.emit(Graded(job=job, checks=checks, runner=runner,
                             duration=time.perf_counter() - start))
            if upcoming is None:
                upcoming = next(jobs, None)
                next_runner = self.make_runner(upcoming) if upcoming is not None else None
            job, runner = upcoming, next_runner
        return True


def pytest_args(check_files: list[Path], ini_file: Path) -> list[str]:
    """Arguments for a quiet, isolated pytest session over ``check_files``."""
    return [
        "-c", str(ini_file), "--rootdir", str(ini_file.parent), "--noconftest",
        "--assert=plain", "--import-mode=importlib", "-p", "no:cacheprovider",
        "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:faulthandler",
        "-p", "no:pastebin", "-p", "no:junitxml", "-p", "no:doctest", "-p", "no:logging",
        "-W", "ignore::pytest.PytestAssertRewriteWarning", "-s",
        *[str(f) for f in check_files],
    ]
