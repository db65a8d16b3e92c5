"""Grading without a sandbox: student code runs IN THIS PROCESS.

``run_session(sandbox_mode="none")`` uses it, for two trusted callers only:
``bench/`` (the unsandboxed floor the sandbox is compared with) and
``dlgrade prove`` (:mod:`autograder.authoring.prove`), which grades mutants of
the course's own reference in a memory-limited subprocess. ``dlgrade grade``
never offers it (see :class:`autograder.sandbox.modes.SandboxMode`).
"""

from __future__ import annotations

import contextlib
import io
import sys
import types
from collections.abc import Iterator
from typing import Any

from autograder.course.submission import Submission
from autograder.grading.student import LocalRunner
from autograder.runtime.checkrun import StudentError


@contextlib.contextmanager
def _siblings(sub: Submission) -> Iterator[None]:
    """The submission's other ``.py`` files importable by name while its entry
    loads (``from neural_network import relu`` in ``mlp.py``), then forgotten."""
    saved: dict[str, types.ModuleType | None] = {}
    try:
        for name, source in sub.files.items():
            if name == sub.entry or not name.endswith(".py") or "/" in name:
                continue
            stem = name[:-3]
            saved[stem] = sys.modules.get(stem)
            module = types.ModuleType(stem)
            module.__file__ = name
            sys.modules[stem] = module
            exec(compile(source, name, "exec"), module.__dict__)
        yield
    finally:
        for stem, previous in saved.items():
            if previous is None:
                sys.modules.pop(stem, None)
            else:
                sys.modules[stem] = previous


class UnsafeLocalRunner(LocalRunner):
    """Runs the student's code IN THIS PROCESS: no protection at all.

    Only for trusted code: ``bench/``'s floor and ``dlgrade prove``'s mutants."""

    def __init__(self, sub: Submission, module_name: str) -> None:
        module = types.ModuleType(module_name)
        self.import_error: str | None = None
        self.cell_errors: list[dict[str, Any]] = []
        self.events: list[str] = []
        sources = sub.cells if sub.kind == "notebook" else [sub.files.get(sub.entry, "")]
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                with _siblings(sub):
                    for index, source in enumerate(sources):
                        try:
                            exec(compile(source, f"<cell {index + 1}>", "exec"),
                                 module.__dict__)
                        except Exception as exc:  # noqa: BLE001
                            if sub.kind != "notebook":
                                self.import_error = f"{type(exc).__name__}: {exc}"
                            self.cell_errors.append({"cell": index + 1,
                                                     "type": type(exc).__name__})
            except Exception as exc:  # noqa: BLE001 - a sibling file that does not load
                self.import_error = f"{type(exc).__name__}: {exc}"
        super().__init__(module)

    def start(self) -> None:
        pass

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.import_error:
            raise StudentError(self.import_error, kind="import")
        with contextlib.redirect_stdout(io.StringIO()):
            return super().call(name, args, kwargs)

    def close(self) -> str:
        return ""
