"""Find the checks of check files without pytest's collector.

The notebook's ``check()`` must answer in milliseconds inside a student's
kernel, so it does not start a pytest session: it imports each check file
once (by path, under a private module name) and reads the checks' markers and
``parametrize`` cases itself. The ids, points, visibility and parameters it
finds are those pytest finds (``tests/test_notebook.py`` compares them on
every check of the course).

Stdlib and the check runtime only: pytest's marks are read by duck typing.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import threading
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from autograder.runtime.checkrun import check_id

_MODULES: dict[tuple[str, int], types.ModuleType] = {}
_LOCK = threading.Lock()  # the notebook preloads check files in a thread


class CollectError(Exception):
    """A check file cannot be read as checks (the message names the file)."""


@dataclass(frozen=True)
class Check:
    """One check (one parametrize case) found in a check file."""

    id: str
    function: str  # the toolkit function it exercises (first tag)
    points: float
    visibility: str
    test: Callable[..., Any] = field(compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False)


def _marks(obj: Any) -> list[Any]:
    """pytest's marks stored on a function or module (``pytestmark``), as Marks."""
    stored = getattr(obj, "pytestmark", [])
    if not isinstance(stored, list):
        stored = [stored]
    return [getattr(m, "mark", m) for m in stored]


def _first_arg(marks: list[Any], name: str, where: str) -> Any:
    for mark in marks:
        if mark.name == name and mark.args:
            return mark.args[0]
    raise CollectError(f"{where}: every check needs @pytest.mark.{name}(...)")


def _default_id(value: Any, argname: str, index: int) -> str:
    """pytest's id of a parameter value that was given no id."""
    if isinstance(value, str):
        return value.encode("unicode_escape").decode("ascii")
    if value is None or isinstance(value, (bool, int, float, complex)):
        return str(value)
    return f"{argname}{index}"


def _cases(mark: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    """(id, {argname: value}) of each case of one ``parametrize`` mark."""
    argnames, argvalues = mark.args[0], mark.args[1]
    names = ([n.strip() for n in argnames.split(",") if n.strip()]
             if isinstance(argnames, str) else list(argnames))
    ids = mark.kwargs.get("ids")
    if ids is not None and not isinstance(ids, (list, tuple)):
        raise CollectError(f"{where}: parametrize ids must be a list")
    cases = []
    for index, entry in enumerate(argvalues):
        given_id = None
        if hasattr(entry, "values") and hasattr(entry, "marks") and hasattr(entry, "id"):
            given_id, entry = entry.id, entry.values  # pytest.param(...)
            entry = entry[0] if len(names) == 1 else entry
        values = (entry,) if len(names) == 1 else tuple(entry)
        if len(values) != len(names):
            raise CollectError(f"{where}: case {index} has {len(values)} values for "
                               f"{len(names)} parameters")
        if ids is not None and index < len(ids) and ids[index] is not None:
            given_id = str(ids[index])
        if given_id is None:
            given_id = "-".join(_default_id(v, n, index)
                                for n, v in zip(names, values, strict=True))
        cases.append((given_id, dict(zip(names, values, strict=True))))
    return cases


def load_module(path: Path) -> types.ModuleType:
    """Import a check file by path (again only when it changed). Thread-safe."""
    with _LOCK:
        return _load_module(path)


def _load_module(path: Path) -> types.ModuleType:
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _MODULES:
        name = f"_dlgrade_checks_{len(_MODULES)}_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise CollectError(f"{path}: not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise CollectError(f"{path} could not be imported: {type(exc).__name__}: "
                               f"{exc}") from exc
        _MODULES[key] = module
    return _MODULES[key]


def collect_file(path: Path) -> list[Check]:
    """Every check of one file, in the order pytest runs them."""
    module = load_module(path)
    module_marks = _marks(module)
    checks = []
    for name, test in vars(module).items():
        if not (name.startswith("test") and isinstance(test, types.FunctionType)
                and test.__module__ == module.__name__):
            continue
        where = f"{path.name}::{name}"
        marks = _marks(test) + module_marks  # the function's own marks win
        function = str(_first_arg(marks, "tags", where))
        points = float(_first_arg(marks, "points", where))
        visibility = str(_first_arg(marks, "visibility", where))
        # stacked parametrize: the decorator nearest the function comes first in
        # the id, and the last one varies fastest (as pytest does)
        stacked = [_cases(m, where) for m in _marks(test) if m.name == "parametrize"]
        for combo in itertools.product(*stacked):
            suffix = "-".join(case_id for case_id, _ in combo)
            params: dict[str, Any] = {}
            for _, values in combo:
                params.update(values)
            test_name = f"{name}[{suffix}]" if combo else name
            checks.append(Check(id=check_id(test_name), function=function, points=points,
                                visibility=visibility, test=test, params=params))
    return checks
