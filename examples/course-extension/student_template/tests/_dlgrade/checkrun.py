"""Running one check: ids, seeded inputs, fixtures, and what the outcome means.

This is the one place that decides, for every runner of checks (the grader's
pytest plugin, the student template's ``conftest.py``, the notebook's
``check()``, nbgrader's setup cell):

* a check's id (its test name without ``test_``, with its ``[case]``) and the
  seed of its ``rng`` (CRC-32 of the id), so inputs are the grader's;
* the fixtures a check receives: ``student``, ``expect``, ``rng``, ``helpers``;
* what a student sees when their function is missing or raises;
* how an exception ending a check is classified (passed, failed, error in the
  student's code, grader error) and the message shown.

Self-contained (stdlib + numpy): the student template and nbgrader's setup
cell carry verbatim copies of this file. ``checklib`` and ``helpers`` are
passed in as modules, never imported, for the same reason.
"""

from __future__ import annotations

import linecache
import os
import sysconfig
import types
import warnings
import zlib
from typing import Any, Callable, Mapping, Sequence

import numpy as np

# The outcome of one check (the vocabulary of results.json and the reports).
PASSED = "passed"
FAILED = "failed"  # a property of the student's answer does not hold
ERROR = "error"  # the student's code raised, crashed, hung or is missing
GRADER_ERROR = "grader_error"  # the grader failed: not the student's fault
OUTCOMES = (PASSED, FAILED, ERROR, GRADER_ERROR)

MARKERS = {
    "points(n)": "points the check is worth",
    "visibility(name)": "'public' (students see the check) or 'hidden' (grader only)",
    "tags(function, ...)": "the toolkit function the check exercises, first",
}
FIXTURES = ("student", "expect", "rng", "helpers")
HIDDEN_GENERIC = "This hidden check failed."
GRADER_FAULT = ("The grader hit an internal error on this check; it is not your fault and "
                "your instructor can see it.")
NOT_WRITTEN = "is not written yet: it raises NotImplementedError"

# a diagnosis: the cause, or (cause, fix) with the fix as the hint (see checklib)
Diagnose = Callable[[str, Sequence[Any], Any], "str | tuple[str, str] | None"]


# ---------------------------------------------------------------- ids and inputs


def check_id(test_name: str) -> str:
    """A check's id: the test's name without ``test_``, with its ``[case]``, if any.

    Args:
        test_name: pytest's item name, e.g. ``test_softmax_shapes[4x10]``.

    Returns:
        E.g. ``softmax_shapes[4x10]``.
    """
    base = test_name.split("[")[0]
    name = base[5:] if base.startswith("test_") else base
    return name + test_name[len(base):]


def seed(check: str) -> int:
    """The seed of a check's ``rng``: the same inputs for every student and runner."""
    return zlib.crc32(check.encode())


def make_rng(check: str) -> np.random.Generator:
    """A private generator seeded by the check's id."""
    return np.random.default_rng(seed(check))


# ---------------------------------------------------------------- the student's code


class StudentError(Exception):
    """Student code could not give an answer. ``kind`` is one of ``missing``,
    ``import``, ``exception``, ``timeout``, ``crash``, ``bad_return``."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def describe_call_error(name: str, info: Mapping[str, Any]) -> StudentError:
    """The student's message for a call of ``name`` that gave no answer.

    Args:
        name: the student's function.
        info: ``kind`` (``missing``, ``bad_return`` or an exception), ``type``,
            ``message`` and ``where`` (file, line and code) of the exception, and
            ``function``: which of the student's functions raised it.

    Returns:
        The error to raise in the check.
    """
    kind = info.get("kind", "exception")
    if kind == "missing":
        return StudentError(f"`{name}` is not defined in your file (is it spelled "
                            "exactly like that, at the top level?)", kind="missing")
    if kind == "bad_return":
        return StudentError(f"{name} returned something that is not a number, array, "
                            f"list, tuple or dict ({info.get('message', '')})",
                            kind="bad_return")
    etype = info.get("type", "Exception")
    where = f" ({info['where']})" if info.get("where") else ""
    if etype == "NotImplementedError":
        inner = str(info.get("function", "") or "")
        if inner and inner != name and inner.isidentifier():
            # a stub the called function depends on: name the stub, not the caller
            return StudentError(f"{inner} is not written yet, and {name} calls it: write "
                                f"{inner} first{where}", kind="exception")
        return StudentError(f"{name} {NOT_WRITTEN}{where}", kind="exception")
    message = info.get("message", "")
    return StudentError(f"{name} raised {etype}: {message}{where}".rstrip(": "),
                        kind="exception")


# not the student's code: numpy's internals and the standard library
LIBRARY_DIRS = (os.path.dirname(os.path.abspath(np.__file__)),
                sysconfig.get_paths()["stdlib"])


def _cell_file(filename: str) -> bool:
    """Is this the pseudo-file of a notebook cell (IPython, ipykernel, exec)?"""
    return (filename.startswith("<")  # <ipython-input-..>, <cell 3>, <string>
            or os.path.basename(os.path.dirname(filename)).startswith("ipykernel_"))


def where(exc: BaseException) -> str:
    """``file, line N: code`` of the innermost frame of the student's own code."""
    return _innermost(exc)[0]


def _innermost(exc: BaseException) -> tuple[str, str]:
    """(``file, line N: code``, function name) of the student's innermost frame."""
    found, function = "", ""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        # skip this module (it makes the call) and library code
        if tb.tb_frame.f_globals is not globals() and not code.co_filename.startswith(
                LIBRARY_DIRS):
            place = ("your cell" if _cell_file(code.co_filename)
                     else os.path.basename(code.co_filename))
            found, function = f"{place}, line {tb.tb_lineno}", code.co_name
            line = linecache.getline(code.co_filename, tb.tb_lineno).strip()
            if line:
                found += f": {line[:120]}"
        tb = tb.tb_next
    return found, function


def exception_info(exc: BaseException) -> dict[str, str]:
    """A plain description of an exception raised by student code."""
    if isinstance(exc, SystemExit):
        return {"type": "SystemExit", "message": f"called sys.exit({exc.code!r})",
                "where": where(exc)}
    message = str(exc)
    if len(message) > 500:
        message = message[:500] + " ..."
    found, function = _innermost(exc)
    return {"type": type(exc).__name__, "message": message, "where": found,
            "function": function}


class LiveFunction:
    """A student function called in this process, its failures as :class:`StudentError`."""

    def __init__(self, namespace: Mapping[str, Any], name: str) -> None:
        self._namespace = namespace
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function = self._namespace.get(self.__name__)
        if not callable(function):
            raise describe_call_error(self.__name__, {"kind": "missing"})
        args = tuple(_live(a) for a in args)
        kwargs = {k: _live(v) for k, v in kwargs.items()}
        try:
            return function(*args, **kwargs)
        except (Exception, SystemExit) as exc:  # student code may raise anything
            raise describe_call_error(self.__name__, exception_info(exc)) from None

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


def _live(value: Any) -> Any:
    """A :class:`LiveFunction` passed as an argument is the student's function itself."""
    if isinstance(value, LiveFunction):
        function = value._namespace.get(value.__name__)
        return function if callable(function) else value
    return value


class InProcessStudent:
    """``student.relu(Z)`` calls the ``relu`` of ``namespace``, in this process.

    The namespace is read at each call, so redefining a function (running its
    notebook cell again) is seen by the next check. There is no sandbox: use
    it only for a student's own code on the student's own machine.
    """

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> LiveFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return LiveFunction(self._namespace, name)


# ---------------------------------------------------------------- one check


def fixtures(check: str, *, hidden: bool, student: Any, checklib: types.ModuleType,
             helpers: types.ModuleType, diagnose: Diagnose | None = None) -> dict[str, Any]:
    """The four fixtures of one check, by name.

    Args:
        check: the check's id (seeds ``rng``).
        hidden: is the check hidden (its messages show no inputs or expected values)?
        student: the object whose attributes are the student's functions.
        checklib: dlgrade's ``checklib`` module (gives ``Expect``).
        helpers: dlgrade's public ``helpers`` module.
        diagnose: names known mistakes in failure messages, or None.
    """
    return {"student": student, "expect": checklib.Expect(hidden=hidden, diagnose=diagnose),
            "rng": make_rng(check), "helpers": helpers}


def classify(exc: BaseException, *, hidden: bool,
             check_failed: type[BaseException]) -> tuple[str, str, str]:
    """What an exception that ended a check means.

    Args:
        exc: the exception.
        hidden: is the check hidden?
        check_failed: ``checklib.CheckFailed`` (a failure whose message teaches).

    Returns:
        (outcome, message for the student, detail for the instructor).
    """
    if isinstance(exc, StudentError):
        return ERROR, exc.message, ""
    if isinstance(exc, check_failed):
        return FAILED, str(exc), ""
    if isinstance(exc, AssertionError):
        return FAILED, HIDDEN_GENERIC if hidden else (str(exc) or "failed"), ""
    return GRADER_ERROR, GRADER_FAULT, f"{type(exc).__name__}: {exc}"


def run_case(test: Callable[..., Any], check: str, *, hidden: bool, student: Any,
             checklib: types.ModuleType, helpers: types.ModuleType,
             params: Mapping[str, Any] | None = None, diagnose: Diagnose | None = None,
             quiet: bool = False, reraise: tuple[type[BaseException], ...] = ()
             ) -> tuple[str, str, str, str]:
    """Call one check function with its fixtures and parameters; classify the outcome.

    Args:
        test: the check (a function taking fixtures and parameters by name).
        check: its id.
        hidden, student, checklib, helpers, diagnose: as for :func:`fixtures`.
        params: its parametrize values, by name.
        quiet: silence numpy's floating-point warnings while it runs (a notebook
            or nbgrader cell should show the check's message, not warnings).
        reraise: exceptions that are not outcomes, raised to the caller (a
            runner's "this check needs another runner").

    Returns:
        (outcome, message, detail, hint), as :func:`classify`, with the hint (the
        second level of feedback) of a failure; ``(PASSED, "", "", "")``.
    """
    given = fixtures(check, hidden=hidden, student=student, checklib=checklib,
                     helpers=helpers, diagnose=diagnose)
    given.update(params or {})
    names = test.__code__.co_varnames[:test.__code__.co_argcount]
    try:
        arguments = {name: given[name] for name in names}
    except KeyError as exc:
        return (GRADER_ERROR, GRADER_FAULT, f"check '{check}' needs an unknown fixture {exc}",
                "")
    try:
        if quiet:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                test(**arguments)
        else:
            test(**arguments)
    except reraise:
        raise
    except Exception as exc:  # noqa: BLE001 - classified
        outcome, message, detail = classify(exc, hidden=hidden,
                                            check_failed=checklib.CheckFailed)
        hint = str(getattr(exc, "hint", "") or "") if outcome == FAILED else ""
        return outcome, message, detail, hint
    return PASSED, "", "", ""


def run_check(test: Callable[..., Any], check: str, *, hidden: bool, student: Any,
              checklib: types.ModuleType, helpers: types.ModuleType,
              params: Mapping[str, Any] | None = None, diagnose: Diagnose | None = None,
              quiet: bool = False) -> tuple[str, str, str]:
    """:func:`run_case` without the hint: (outcome, message, detail)."""
    return run_case(test, check, hidden=hidden, student=student, checklib=checklib,
                    helpers=helpers, params=params, diagnose=diagnose, quiet=quiet)[:3]
