"""A stand-in for ``import pytest`` while the light runner reads check files.

:mod:`autograder.runtime.lightrun` imports a check file with builtins whose
``__import__`` hands it this module instead of pytest (for that file only:
``sys.modules`` is left alone). Its ``pytest.mark`` and ``pytest.param``
record marks and cases the way pytest stores them; anything else of pytest
raises :class:`NeedsPytest`, and the caller runs pytest itself instead.

Stdlib only; no import of ``autograder``.
"""

from __future__ import annotations

import builtins
import types
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Sequence


class NeedsPytest(Exception):
    """The check files use something only a pytest session reads or runs exactly."""


@dataclass(frozen=True)
class Mark:
    """One mark, as pytest's ``Mark``: a name, its args and kwargs."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


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


class Param(NamedTuple):
    """``pytest.param(...)``: the fields of pytest's ``ParameterSet``."""

    values: tuple[Any, ...]
    marks: tuple[Any, ...]
    id: Any


def _param(*values: Any, marks: Any = (), id: Any = None) -> Param:  # noqa: A002 - pytest's
    return Param(values, tuple(marks) if isinstance(marks, (list, tuple)) else (marks,), id)


def _stand_in() -> types.ModuleType:
    """A module named pytest with ``mark`` and ``param``; anything else needs pytest."""
    module = types.ModuleType("pytest", "dlgrade's stand-in for pytest while reading checks")
    module.mark = _MarkGenerator()  # type: ignore[attr-defined]
    module.param = _param  # type: ignore[attr-defined]

    def missing(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # Python's own look-ups (__path__, __test__...)
        raise NeedsPytest(f"pytest.{name}")

    module.__getattr__ = missing  # type: ignore[method-assign]
    return module


def builtins_with_stand_in() -> dict[str, Any]:
    """Builtins whose ``__import__`` gives the stand-in for ``pytest`` (one module's)."""
    stand_in = _stand_in()
    real_import = builtins.__import__

    def import_(name: str, globals: Any = None, locals: Any = None,  # noqa: A002
                fromlist: Sequence[str] = (), level: int = 0) -> types.ModuleType:
        if name == "pytest" and level == 0:
            return stand_in
        return real_import(name, globals, locals, fromlist, level)

    return {**vars(builtins), "__import__": import_}
