"""Run one submission's public checks for ``dlgrade check``, fast.

Grading runs checks in a pytest session (:mod:`autograder.session`). For one
student's own file that session costs more than the checks themselves
(importing pytest, configuring it, collecting), so ``dlgrade check`` runs
them without it when it can: it imports the check files by path (their
``import pytest`` gets a small stand-in whose ``pytest.mark`` records marks
the way pytest stores them), reads the checks' markers and ``parametrize``
cases itself, and calls each check with the same fixtures, seeds and outcome
classification as the grading plugin (:mod:`autograder.plugin`).

Whatever it cannot read exactly that way (a fixture other than ours, any
other pytest feature, at import or while a check runs, two cases with the
same id) makes it run the checks in the full pytest session instead, as
grading does.
"""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import sys
import tempfile
import time
import types
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from autograder.assignment import Assignment
from autograder.checklib import CheckFailed, Expect
from autograder.errors import GraderFault
from autograder.results import (ERROR, FAILED, GRADER_ERROR, PASSED, CheckResult,
                                SubmissionResult, now_iso)
from autograder.sandbox import helpers as helper_module
from autograder.sandbox.client import SandboxError
from autograder.sandbox.factory import open_sandbox
from autograder.student import SandboxRunner, Student, StudentError
from autograder.submission import Submission

FIXTURES = {"student", "expect", "rng", "helpers"}
# the same words as the grading plugin (autograder/plugin.py)
HIDDEN_GENERIC = "This hidden check failed."
GRADER_FAULT = ("The grader hit an internal error on this check; it is not your fault and "
                "your instructor can see it.")


class NeedsPytest(Exception):
    """The check files use something only a pytest session provides."""


# ------------------------------------------------------------------ a stand-in for pytest


@dataclass(frozen=True)
class Mark:
    """One mark, as pytest's ``Mark``: a name, its args and kwargs."""

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


class MarkDecorator:
    """``pytest.mark.points(2)``: applied to a function, appends its mark to the
    function's ``pytestmark`` list (what pytest does)."""

    def __init__(self, mark: Mark) -> None:
        self.mark = mark

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and isinstance(args[0], types.FunctionType):
            function = args[0]
            function.pytestmark = [*getattr(function, "pytestmark", []),  # type: ignore
                                   self.mark]
            return function
        return MarkDecorator(Mark(self.mark.name, self.mark.args + args,
                                  {**self.mark.kwargs, **kwargs}))


class _MarkGenerator:
    def __getattr__(self, name: str) -> MarkDecorator:
        if name.startswith("_"):
            raise AttributeError(name)
        return MarkDecorator(Mark(name))


def _stand_in() -> types.ModuleType:
    """A module named pytest with ``mark``; anything else needs the real pytest."""
    module = types.ModuleType("pytest", "dlgrade's stand-in for pytest while reading checks")
    module.mark = _MarkGenerator()  # type: ignore[attr-defined]

    def missing(name: str) -> Any:
        raise NeedsPytest(f"pytest.{name}")

    module.__getattr__ = missing  # type: ignore[method-assign]
    return module


# ------------------------------------------------------------------ collecting


@dataclass(frozen=True)
class QuickCheck:
    """One check (one parametrize case) of a check file."""

    id: str
    function: str
    points: float
    visibility: str
    test: Callable[..., Any]
    params: dict[str, Any]


def _marks(obj: Any) -> list[Any]:
    stored = getattr(obj, "pytestmark", [])
    return [getattr(m, "mark", m) for m in (stored if isinstance(stored, list) else [stored])]


def _first(marks: list[Any], name: str) -> Any:
    for mark in marks:
        if mark.name == name and mark.args:
            return mark.args[0]
    raise NeedsPytest(f"a check without @pytest.mark.{name}")


def _escaped(text: str) -> str:
    """An id as pytest writes it: non-ASCII characters escaped."""
    return text.encode("unicode_escape").decode("ascii")


def _case_id(value: Any, argname: str, index: int) -> str:
    """pytest's id of a parameter value given no id."""
    if isinstance(value, str):
        return _escaped(value)
    if value is None or isinstance(value, (bool, int, float)):
        return str(value)
    if isinstance(value, (tuple, list, dict, np.ndarray)):
        return f"{argname}{index}"
    raise NeedsPytest("a parameter pytest names in its own way (a function, class, enum...)")


def _cases(mark: Any) -> list[tuple[str, dict[str, Any]]]:
    """(id, {name: value}) of each case of one ``parametrize`` mark."""
    if len(mark.args) != 2 or set(mark.kwargs) - {"ids"}:
        raise NeedsPytest("parametrize with options")
    argnames, argvalues = mark.args
    names = ([n.strip() for n in argnames.split(",") if n.strip()]
             if isinstance(argnames, str) else list(argnames))
    ids = mark.kwargs.get("ids")
    if ids is not None and not isinstance(ids, (list, tuple)):
        raise NeedsPytest("parametrize ids that are not a list")
    cases = []
    for index, entry in enumerate(argvalues):
        if all(hasattr(entry, a) for a in ("values", "marks", "id")):
            raise NeedsPytest("pytest.param(...)")
        values = (entry,) if len(names) == 1 else tuple(entry)
        if len(values) != len(names):
            raise NeedsPytest("a parametrize case of the wrong length")
        given = ids[index] if ids is not None and index < len(ids) else None
        case = (_escaped(str(given)) if given is not None
                else "-".join(_case_id(v, n, index) for n, v in zip(names, values, strict=True)))
        cases.append((case, dict(zip(names, values, strict=True))))
    if len({c for c, _ in cases}) != len(cases):
        raise NeedsPytest("two parametrize cases with the same id")
    return cases


def _load(path: Path, index: int) -> types.ModuleType:
    name = f"_dlgrade_quick_{index}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise NeedsPytest(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    stand_in = "pytest" not in sys.modules
    if stand_in:
        sys.modules["pytest"] = _stand_in()
    try:
        spec.loader.exec_module(module)
    except NeedsPytest:
        raise
    except Exception as exc:  # noqa: BLE001 - the pytest session will report it exactly
        raise NeedsPytest(f"{path.name} could not be imported: {exc}") from None
    finally:
        if stand_in:
            del sys.modules["pytest"]
    return module


def collect(files: list[Path]) -> list[QuickCheck]:
    """Every check of ``files``, in the order pytest runs them.

    Raises:
        NeedsPytest: something here needs pytest's own collection.
    """
    checks: list[QuickCheck] = []
    for index, path in enumerate(files):
        module = _load(path, index)
        module_marks = _marks(module)
        for name, test in list(vars(module).items()):
            if not (name.startswith("test") and isinstance(test, types.FunctionType)
                    and test.__module__ == module.__name__):
                continue
            own = _marks(test)
            marks = own + module_marks  # the function's own marks win
            if {m.name for m in marks} - {"points", "visibility", "tags", "parametrize"}:
                raise NeedsPytest(f"{name} has another mark")
            # stacked parametrize: the decorator nearest the function comes first in the
            # id, and the last one varies fastest (as pytest does)
            stacked = [_cases(m) for m in own if m.name == "parametrize"]
            for combo in itertools.product(*stacked):
                params: dict[str, Any] = {}
                for _, values in combo:
                    params.update(values)
                wanted = set(test.__code__.co_varnames[:test.__code__.co_argcount])
                if wanted - FIXTURES - set(params) or test.__defaults__:
                    raise NeedsPytest(f"{name} needs another fixture")
                base = name[5:] if name.startswith("test_") else name
                suffix = "-".join(case for case, _ in combo)
                checks.append(QuickCheck(
                    id=f"{base}[{suffix}]" if combo else base,
                    function=str(_first(marks, "tags")), points=float(_first(marks, "points")),
                    visibility=str(_first(marks, "visibility")), test=test, params=params))
    if not checks or len({c.id for c in checks}) != len(checks):
        raise NeedsPytest("no checks, or two checks with the same id")
    return checks


# ------------------------------------------------------------------ running


def classify(exc: BaseException, *, hidden: bool) -> tuple[str, str, str]:
    """(outcome, message, detail), as the grading plugin classifies."""
    if isinstance(exc, StudentError):
        return ERROR, exc.message, ""
    if isinstance(exc, CheckFailed):
        return FAILED, str(exc), ""
    if isinstance(exc, AssertionError):
        return FAILED, HIDDEN_GENERIC if hidden else (str(exc) or "failed"), ""
    return GRADER_ERROR, GRADER_FAULT, f"{type(exc).__name__}: {exc}"


def run_check(check: QuickCheck, student: Student) -> CheckResult:
    """Call one check with its fixtures and parameters."""
    given = {"student": student, "helpers": helper_module,
             "expect": Expect(hidden=check.visibility == "hidden"),
             "rng": np.random.default_rng(zlib.crc32(check.id.encode())), **check.params}
    names = check.test.__code__.co_varnames[:check.test.__code__.co_argcount]
    outcome, message, detail, hint = PASSED, "", "", ""
    start = time.perf_counter()
    try:
        check.test(**{n: given[n] for n in names})
    except NeedsPytest:
        raise  # pytest.approx, pytest.raises... at run time: the session runs them all
    except Exception as exc:  # noqa: BLE001 - classified
        outcome, message, detail = classify(exc, hidden=check.visibility == "hidden")
        hint = str(getattr(exc, "hint", "") or "") if outcome == FAILED else ""
    return CheckResult(check=check.id, function=check.function,
                       points=check.points if outcome == PASSED else 0.0,
                       max_points=check.points, visibility=check.visibility, outcome=outcome,
                       message=message, duration=round(time.perf_counter() - start, 5),
                       detail=detail, hint=hint)


def run_quick(assignment: Assignment, sub: Submission, checks: list[QuickCheck], *,
              sandbox_mode: str = "auto") -> tuple[SubmissionResult, list[str]]:
    """Run ``checks`` on ``sub`` in the sandbox: (result, sandbox protections)."""
    start = time.perf_counter()
    if sub.kind == "invalid":
        message = f"your submission could not be read: {sub.error}"
        results = [CheckResult(check=c.id, function=c.function, points=0.0,
                               max_points=c.points, visibility=c.visibility, outcome=ERROR,
                               message=message) for c in checks]
        return SubmissionResult(student=sub.student, assignment=assignment.id,
                                content_hash=sub.content_hash, checks=results,
                                status="invalid", error=sub.error, graded_at=now_iso()), []
    try:
        zygote = open_sandbox(job=0, mode=sandbox_mode)  # adopts the zygote started early
    except SandboxError as exc:
        raise GraderFault(str(exc)) from None
    try:
        runner = SandboxRunner(zygote, files=sub.files, spec=sub.spec(Path(assignment.submit).stem),
                               limits=assignment.limits)
        student = Student(runner)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the checks' own numpy warnings: not the student's
            runner.start()
            results = [run_check(check, student) for check in checks]
        output = runner.close()
        protections = [zygote.mode]
    except SandboxError as exc:
        raise GraderFault(str(exc)) from None
    finally:
        zygote.close()
    status, error = ("load_failed", runner.import_error) if runner.import_error else ("graded", "")
    if status == "graded" and any(c.outcome == GRADER_ERROR for c in results):
        status = "grader_error"
    return SubmissionResult(
        student=sub.student, assignment=assignment.id, content_hash=sub.content_hash,
        checks=results, status=status, error=error, cell_errors=list(runner.cell_errors),
        events=list(runner.events), output=output,
        duration=round(time.perf_counter() - start, 4), graded_at=now_iso()), protections


# ------------------------------------------------------------------ either way


def run_in_session(assignment: Assignment, sub: Submission, files: list[Path], *,
                   sandbox_mode: str = "auto") -> tuple[SubmissionResult, list[str]]:
    """The public checks of ``files`` on ``sub`` in a pytest session, as grading runs them."""
    from autograder.session import run_session

    results: list[SubmissionResult] = []
    protections: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dlgrade-checks-") as tmp:
        # pytest cannot collect a path holding "[" (a folder named "my [work]", say)
        copies = []
        for index, path in enumerate(files):
            copies.append(Path(tmp) / f"{index:02d}" / path.name)
            copies[-1].parent.mkdir()
            shutil.copy(path, copies[-1])
        run_session(assignment=assignment, submissions=[sub], emit=results.append,
                    hidden=False, check_files=copies, sandbox_mode=sandbox_mode,
                    on_ready=lambda specs, zygote: protections.extend([zygote.mode]))
    return results[0], protections


def run_public_checks(assignment: Assignment, sub: Submission, files: list[Path], *,
                      sandbox_mode: str = "auto") -> tuple[SubmissionResult, list[str]]:
    """The public checks of ``files`` on ``sub``: (result, sandbox protections)."""
    try:
        return run_quick(assignment, sub, collect(files), sandbox_mode=sandbox_mode)
    except NeedsPytest:
        return run_in_session(assignment, sub, files, sandbox_mode=sandbox_mode)
