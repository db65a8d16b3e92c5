"""Collect and run checks without pytest: the light runner of ``dlgrade check`` and the notebook.

Grading runs checks in a pytest session (:mod:`autograder.grading.session`). A
student's own check costs far less than that session (importing pytest,
configuring it, collecting), so ``dlgrade check`` (:mod:`autograder.selfcheck.quickrun`)
and the notebook's ``check()`` (:mod:`autograder.notebook`) both use this
module instead:

* :func:`collect` imports each check file by path, under a private module
  name, once per version of the file. When pytest is not imported already,
  the file's ``import pytest`` gets a small stand-in (for that file only:
  ``sys.modules`` is left alone) whose ``pytest.mark`` and ``pytest.param``
  record marks and cases the way pytest stores them; anything else of pytest
  raises :class:`NeedsPytest`.
* It reads the checks' markers and ``parametrize`` cases itself and gives
  each check the id pytest gives it (so its ``rng`` seed is the grader's).
  Whatever it cannot read *exactly* as pytest would raises
  :class:`NeedsPytest`: another mark or fixture, module-level
  ``parametrize``, test classes, ids pytest would make unique or name in its
  own way, an import error... The caller then runs pytest instead.
* :func:`run_checks` calls each check with the fixtures, seed and outcome
  classification of :mod:`autograder.runtime.checkrun`, the code every
  runner of checks shares.

Stdlib, numpy and the check runtime only; pytest's marks are read by duck typing.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import sys
import threading
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from autograder.runtime import checkrun
from autograder.runtime.standin import Mark, NeedsPytest, Param, builtins_with_stand_in

__all__ = ["Check", "Mark", "NeedsPytest", "Param", "Ran", "collect", "collect_file",
           "load_module", "run_checks"]

MARK_NAMES = {"points", "visibility", "tags", "parametrize"}
LONG_STR = 100  # pytest versions name longer string values differently


# ------------------------------------------------------------------ loading


_MODULES: dict[tuple[str, int, int, bool], types.ModuleType] = {}
_LOCK = threading.Lock()  # the notebook preloads check files in a thread


def load_module(path: Path, *, real_pytest: bool | None = None) -> types.ModuleType:
    """Import a check file by path (again only when it changed). Thread-safe.

    Args:
        path: the check file.
        real_pytest: give it the real pytest (imported if need be) rather than
            the stand-in; default: the real one when it is imported already.

    Raises:
        NeedsPytest: the file cannot be imported this way (the message says why).
    """
    if real_pytest is None:
        real_pytest = "pytest" in sys.modules
    try:
        stat = path.stat()
    except OSError as exc:
        raise NeedsPytest(f"{path} cannot be read: {exc.strerror}") from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, real_pytest)
    with _LOCK:
        if key not in _MODULES:
            _MODULES[key] = _import(path, len(_MODULES), real_pytest)
        return _MODULES[key]


def _import(path: Path, index: int, real_pytest: bool) -> types.ModuleType:
    name = f"_dlgrade_checks_{index}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise NeedsPytest(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    if real_pytest:
        import pytest  # noqa: F401 - imported before the check file, as a session does
    else:
        module.__dict__["__builtins__"] = builtins_with_stand_in()
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except NeedsPytest:
        del sys.modules[name]
        raise
    except Exception as exc:  # noqa: BLE001 - pytest's session reports it exactly
        del sys.modules[name]
        raise NeedsPytest(f"{path.name} could not be imported: {type(exc).__name__}: "
                          f"{exc}") from None
    return module


# ------------------------------------------------------------------ collecting


@dataclass(frozen=True)
class Check:
    """One check (one parametrize case) of a check file."""

    id: str
    function: str  # the toolkit function it exercises (first tag)
    points: float
    visibility: str
    test: Callable[..., Any] = field(compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def hidden(self) -> bool:
        """Is it a hidden check?"""
        return self.visibility == "hidden"


def _marks(obj: Any) -> list[Any]:
    """pytest's marks stored on a function or module (``pytestmark``), as Marks."""
    stored = getattr(obj, "pytestmark", [])
    return [getattr(m, "mark", m) for m in (stored if isinstance(stored, list) else [stored])]


def _closest_arg(marks: list[Any], name: str, where: str) -> Any:
    """The first argument of the closest mark ``name`` (pytest's ``get_closest_marker``)."""
    for mark in marks:
        if mark.name == name:
            if not mark.args:
                break
            return mark.args[0]
    raise NeedsPytest(f"{where}: a check without @pytest.mark.{name}(...)")


def _escaped(text: str) -> str:
    """A string as pytest writes it in an id: non-ASCII and unprintable characters escaped."""
    return text.encode("unicode_escape").decode("ascii")


def _given_id(given: Any) -> str:
    """pytest's id of an id given in ``ids=[...]`` or ``pytest.param(id=...)``."""
    if isinstance(given, str):
        return _escaped(given)
    if isinstance(given, (bool, int, float, complex)):
        return str(given)
    raise NeedsPytest("an id that is not a string or a number")


def _value_id(value: Any, argname: str, index: int) -> str:
    """pytest's id of a parameter value given no id."""
    if isinstance(value, str):
        if len(value) > LONG_STR:
            raise NeedsPytest("a long string parameter (pytest versions name it differently)")
        return _escaped(value)
    if value is None or isinstance(value, (bool, int, float, complex)):
        return str(value)
    if isinstance(value, (tuple, list, dict, np.ndarray)) and not hasattr(value, "__name__"):
        return f"{argname}{index}"
    raise NeedsPytest("a parameter pytest names in its own way (a function, class, enum...)")


def _cases(mark: Any, where: str) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """The argument names of one ``parametrize`` mark and (id, {name: value}) of each case."""
    if len(mark.args) != 2 or set(mark.kwargs) - {"ids"}:
        raise NeedsPytest(f"{where}: parametrize with options")
    argnames, argvalues = mark.args
    names = ([n.strip() for n in argnames.split(",") if n.strip()]
             if isinstance(argnames, str) else list(argnames))
    force_tuple = isinstance(argnames, str) and len(names) == 1  # as pytest: "x" but not ["x"]
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise NeedsPytest(f"{where}: unusual parametrize names")
    ids = mark.kwargs.get("ids")
    argvalues = list(argvalues) if isinstance(argvalues, (list, tuple)) else None
    if not argvalues:
        raise NeedsPytest(f"{where}: parametrize with no cases or cases that are not a list")
    if ids is not None and (not isinstance(ids, (list, tuple)) or len(ids) != len(argvalues)):
        raise NeedsPytest(f"{where}: parametrize ids that are not a list of one id a case")
    cases = []
    for index, entry in enumerate(argvalues):
        given = None
        if all(hasattr(entry, a) for a in ("values", "marks", "id")):  # pytest.param(...)
            if entry.marks:
                raise NeedsPytest(f"{where}: pytest.param(..., marks=...)")
            given, values = entry.id, tuple(entry.values)
            if given is not None and not isinstance(given, str):
                raise NeedsPytest(f"{where}: pytest.param with an unusual id")
        elif force_tuple:
            values = (entry,)
        else:
            try:
                values = tuple(entry)
            except TypeError:
                raise NeedsPytest(f"{where}: a parametrize case that is not a sequence") from None
        if len(values) != len(names):
            raise NeedsPytest(f"{where}: a parametrize case of the wrong length")
        if given is None and ids is not None and ids[index] is not None:
            given = ids[index]
        case = (_given_id(given) if given is not None
                else "-".join(_value_id(v, n, index) for n, v in zip(names, values, strict=True)))
        cases.append((case, dict(zip(names, values, strict=True))))
    if len({c for c, _ in cases}) != len(cases):
        raise NeedsPytest(f"{where}: two parametrize cases with the same id")
    return names, cases


def _arguments(test: types.FunctionType, where: str) -> list[str]:
    """The names the check takes (fixtures and parameters), as pytest reads them."""
    code = test.__code__
    if (test.__defaults__ or test.__kwdefaults__ or code.co_kwonlyargcount
            or hasattr(test, "__wrapped__") or inspect.isgeneratorfunction(test)
            or inspect.iscoroutinefunction(test)):
        raise NeedsPytest(f"{where}: a check with unusual arguments")
    return list(code.co_varnames[:code.co_argcount])


def collect_file(path: Path, *, real_pytest: bool | None = None) -> list[Check]:
    """Every check of one file, in the order pytest runs them.

    Args:
        path: the check file.
        real_pytest: as for :func:`load_module`.

    Raises:
        NeedsPytest: something here needs pytest's own collection.
    """
    module = load_module(path, real_pytest=real_pytest)
    module_marks = _marks(module)
    if any(m.name == "parametrize" for m in module_marks):
        raise NeedsPytest(f"{path.name}: a module-level parametrize")
    checks: list[Check] = []
    for name, test in list(vars(module).items()):
        if callable(test) and (name.startswith("Test") and isinstance(test, type)
                               or getattr(test, "__test__", None) is True):
            raise NeedsPytest(f"{path.name}::{name}: a test class or an object marked __test__")
        if not (name.startswith("test") and callable(test)):
            continue
        where = f"{path.name}::{name}"
        if not (isinstance(test, types.FunctionType) and test.__module__ == module.__name__
                and not hasattr(test, "__test__")):
            raise NeedsPytest(f"{where}: a check that is not a function of this file")
        own = _marks(test)
        marks = own + module_marks  # the function's own marks are the closest
        if {m.name for m in marks} - MARK_NAMES:
            raise NeedsPytest(f"{where}: another mark")
        try:
            function = str(_closest_arg(marks, "tags", where))
            points = float(_closest_arg(marks, "points", where))
        except (TypeError, ValueError):
            raise NeedsPytest(f"{where}: unusual points") from None
        visibility = _closest_arg(marks, "visibility", where)
        if visibility not in ("public", "hidden"):
            raise NeedsPytest(f"{where}: visibility must be 'public' or 'hidden'")
        wanted = _arguments(test, where)
        # stacked parametrize: the decorator nearest the function comes first in the
        # id, and the last one varies fastest (as pytest does)
        parametrized = [_cases(m, where) for m in own if m.name == "parametrize"]
        stacked = [cases for _, cases in parametrized]
        taken = [arg for names, _ in parametrized for arg in names]
        if len(set(taken)) != len(taken):
            raise NeedsPytest(f"{where}: one argument parametrized twice")
        if set(taken) - set(wanted) or set(wanted) - set(taken) - set(checkrun.FIXTURES):
            raise NeedsPytest(f"{where}: a fixture other than dlgrade's, or a parameter the "
                              "check does not take")
        for combo in itertools.product(*stacked):
            params: dict[str, Any] = {}
            for _, values in combo:
                params.update(values)
            suffix = "-".join(case for case, _ in combo)
            checks.append(Check(id=checkrun.check_id(f"{name}[{suffix}]" if combo else name),
                                function=function, points=points, visibility=visibility,
                                test=test, params=params))
    return checks


def collect(files: Sequence[Path], *, real_pytest: bool | None = None) -> list[Check]:
    """Every check of ``files``, in the order pytest runs them.

    Raises:
        NeedsPytest: something here needs pytest's own collection (no checks at
            all, or two checks with the same id, included).
    """
    checks = [c for path in files for c in collect_file(path, real_pytest=real_pytest)]
    if not checks or len({c.id for c in checks}) != len(checks):
        raise NeedsPytest("no checks, or two checks with the same id")
    return checks


# ------------------------------------------------------------------ running


@dataclass(frozen=True)
class Ran:
    """What one check gave."""

    check: Check
    outcome: str
    message: str
    detail: str  # for the instructor (a grader error's exception)
    hint: str  # the second level of feedback of a failure
    seconds: float

    @property
    def points(self) -> float:
        """The points earned."""
        return self.check.points if self.outcome == checkrun.PASSED else 0.0


def run_checks(checks: Sequence[Check], student: Any, *, checklib: types.ModuleType,
               helpers: types.ModuleType, diagnose: checkrun.Diagnose | None = None
               ) -> list[Ran]:
    """Call each check with its fixtures and parameters (see :func:`checkrun.run_case`).

    Args:
        checks: from :func:`collect`.
        student: the object whose attributes are the student's functions.
        checklib, helpers, diagnose: as for :func:`checkrun.fixtures`.

    Raises:
        NeedsPytest: a check used pytest while it ran (``pytest.approx`` of
            the stand-in, say): pytest must run them all.
    """
    ran = []
    for check in checks:
        start = time.perf_counter()
        outcome, message, detail, hint = checkrun.run_case(
            check.test, check.id, hidden=check.hidden, student=student, checklib=checklib,
            helpers=helpers, params=check.params, diagnose=diagnose, quiet=True,
            reraise=(NeedsPytest,))
        ran.append(Ran(check=check, outcome=outcome, message=message, detail=detail,
                       hint=hint, seconds=round(time.perf_counter() - start, 5)))
    return ran
