"""The ``student`` object checks call: ``student.softmax(Z)``.

A check never touches student code directly. It calls a :class:`Student`,
which forwards each call to a *runner*:

* :class:`SandboxRunner` sends the call to a sandboxed worker process and
  returns the plain data that came back (the trust boundary, DESIGN.md);
* :class:`LocalRunner` calls an imported module in this process (the student
  template's plain ``pytest``, and the unsandboxed floor in ``bench/``).

Both give checks the same behaviour: arrays a student function changes in
place are changed in the caller's arrays too, exceptions become
:class:`StudentError` with a short message a student can act on.
"""

from __future__ import annotations

import re
import time
import types
from typing import Any, Protocol

import numpy as np

from autograder.runtime.checkrun import StudentError, describe_call_error  # noqa: F401
from autograder.sandbox import helpers as helper_module
from autograder.course.limits import Limits
from autograder.errors import SandboxError, WorkerGone
from autograder.sandbox.client import Worker, Zygote

HELPER_NAMES = {id(fn): name for name, fn in helper_module.HELPERS.items()}


class Runner(Protocol):
    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...


class RemoteFunction:
    """A student function as seen from the trusted side."""

    def __init__(self, runner: Runner, name: str) -> None:
        self._runner = runner
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._runner.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


class Student:
    """Attribute access gives the student's function of that name."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteFunction(self._runner, name)


def function_name(fn: Any) -> str | None:
    """How a callable argument crosses the boundary (None: it cannot)."""
    if isinstance(fn, RemoteFunction):
        return "student:" + fn.__name__
    name = HELPER_NAMES.get(id(fn))
    return "helper:" + name if name else None


def write_back(args: tuple[Any, ...], kwargs: dict[str, Any], mutated: list[Any]) -> None:
    """Apply the changes the student made to array arguments: in place, or
    (for an entry of a dict or list they replaced) by replacing the entry."""
    for path, new in mutated:
        origin, *keys = path
        parent: Any = None
        target: Any = args if origin == "a" else kwargs
        try:
            for key in keys:
                parent, target = target, target[key]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(target, np.ndarray) or not isinstance(new, np.ndarray):
            continue
        if target.shape == new.shape:
            target[...] = new.astype(target.dtype, copy=False)
        elif isinstance(parent, (dict, list)) and keys:
            parent[keys[-1]] = new


class SandboxRunner:
    """Runs one submission in sandboxed workers, restarting them after a crash.

    The submission is loaded once; if loading fails (an exception, sys.exit,
    a hang) every call fails at once with the same message, without retrying
    the import. Crashes and timeouts are charged to the function that was
    called: once it spent its budget (``Limits.function_crashes``,
    ``Limits.function_timeouts``) only that function is not called again, and
    the worker is restarted for the others. ``Limits.submission_seconds``
    bounds the whole submission: after it, every remaining call fails.
    """

    def __init__(self, zygote: Zygote, *, files: dict[str, str], spec: dict[str, Any],
                 limits: Limits, expected: tuple[str, ...] = ()) -> None:
        self.zygote = zygote
        self.files = files
        self.expected = expected  # every file the assignment takes (submit = [...])
        self.spec = spec
        self.limits = limits
        self.restarts = 0
        self.worker: Worker | None = None
        self.import_error: str | None = None
        self.cell_errors: list[dict[str, Any]] = []
        self.defined: list[str] = []
        self.crashes: dict[str, list[str]] = {}  # function -> how each crash ended
        self.timeouts: dict[str, int] = {}
        self.events: list[str] = []
        self.output: list[str] = []
        self._started = False
        self._began: float | None = None
        self._prefetched: Worker | None = None

    @property
    def timed_out(self) -> set[str]:
        """The functions that timed out at least once."""
        return {name for name, count in self.timeouts.items() if count}

    def _check_budget(self, name: str) -> None:
        """Refuse a call whose function (or the submission) spent its budget."""
        timeouts = self.timeouts.get(name, 0)
        if timeouts >= max(self.limits.function_timeouts, 1):
            earlier = "an earlier check" if timeouts == 1 else f"{timeouts} earlier checks"
            raise StudentError(f"{name} was not run again: it already took longer than "
                               f"{self.limits.call_timeout:g} s on {earlier}",
                               kind="timeout")
        crashes = self.crashes.get(name, [])
        if len(crashes) >= max(self.limits.function_crashes, 1):
            earlier = "an earlier call" if len(crashes) == 1 else f"{len(crashes)} earlier calls"
            raise StudentError(f"{name} was not run again: it {crashes[-1]} on {earlier} "
                               "(your other functions were still graded)", kind="crash")
        if self._began is not None and \
                time.monotonic() - self._began > self.limits.submission_seconds:
            raise StudentError(f"{name} was not run: grading your file already took "
                               f"longer than {self.limits.submission_seconds:g} s, the "
                               "time one submission may take", kind="timeout")

    def _ensure_worker(self) -> Worker:
        if self.import_error:
            raise StudentError(self.import_error, kind="import")
        if self.worker is not None and self.worker.alive:
            return self.worker
        if self._started:
            self.restarts += 1
        else:
            self._began = time.monotonic()
        self._started = True
        if self._prefetched is not None:
            worker, self._prefetched = self._prefetched, None
        else:
            worker = self.zygote.spawn(files=self.files, spec=self.spec, limits=self.limits)
        self.worker = worker
        try:
            ready = worker.wait_ready()
        except WorkerGone as exc:
            if exc.setup_failed:  # our fault, not the student's: a grader error
                self._collect(worker)
                detail = (self.output.pop() if self.output else "") + self.zygote.log_tail()
                raise SandboxError("the sandbox could not set up a worker: "
                                   + detail[-1500:]) from None
            what = "loading" if not exc.timed_out else "loading (it did not finish)"
            self.import_error = f"your file could not be loaded: {what} {exc.reason}"
            self._collect(worker)
            raise StudentError(self.import_error, kind="import") from None
        if not isinstance(ready, dict) or ready.get("op") != "ready":
            self.import_error = "your file could not be loaded (the worker sent junk)"
            self._collect(worker)
            raise StudentError(self.import_error, kind="import")
        self.defined = [n for n in ready.get("defined", []) if isinstance(n, str)]
        error = ready.get("import_error")
        if isinstance(error, dict):
            where = f" ({error.get('where')})" if error.get("where") else ""
            self.import_error = (f"your file could not be loaded: {error.get('type')}: "
                                 f"{error.get('message')}{where}{self._missing_file(error)}")
            self._collect(worker)
            raise StudentError(self.import_error, kind="import")
        if not self.cell_errors and isinstance(ready.get("cells"), list):
            self.cell_errors = [c for c in ready["cells"] if isinstance(c, dict)]
        return worker

    def _missing_file(self, error: dict[str, Any]) -> str:
        """What to add when the code imports a file the assignment takes but the
        submission lacks (``from neural_network import relu`` without that file)."""
        missing = re.fullmatch(r"No module named '(\w+)'", str(error.get("message", "")))
        name = f"{missing.group(1)}.py" if missing else ""
        if error.get("type") != "ModuleNotFoundError" or name not in self.expected \
                or name in self.files:
            return ""
        return (f". This assignment takes {' and '.join(self.expected)}: hand them in "
                f"together (one folder or one zip).")

    def prefetch(self) -> None:
        """Fork the worker now; it loads the code while the grader does other work."""
        if not self._started and self._prefetched is None:
            self._prefetched = self.zygote.spawn(files=self.files, spec=self.spec,
                                                 limits=self.limits)

    def start(self) -> None:
        """Load the submission now (so a broken file is reported once)."""
        try:
            self._ensure_worker()
        except StudentError:
            pass

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.import_error:
            raise StudentError(self.import_error, kind="import")
        self._check_budget(name)
        worker = self._ensure_worker()
        try:
            reply = worker.call({"fn": name, "args": list(args), "kwargs": kwargs},
                                function_name)
        except WorkerGone as exc:
            self._collect(worker)
            if exc.timed_out:
                self.timeouts[name] = self.timeouts.get(name, 0) + 1
                self.events.append(f"{name}: timed out")
                raise StudentError(f"{name} did not finish within "
                                   f"{self.limits.call_timeout:g} s (an endless loop?)",
                                   kind="timeout") from None
            self.crashes.setdefault(name, []).append(exc.reason)
            self.events.append(f"{name}: {exc.reason}")
            raise StudentError(f"calling {name} {exc.reason}", kind="crash") from None
        if not isinstance(reply, dict):
            raise StudentError(f"{name} sent back something unreadable", kind="bad_return")
        if not reply.get("ok"):
            if reply.get("type") == "MemoryError":
                # what it allocated may still be held (a global, a cycle): later calls
                # of other functions would fail too, so they get a fresh worker
                self._collect(worker)
                self.crashes.setdefault(name, []).append("ran out of memory")
                self.events.append(f"{name}: ran out of memory")
            raise describe_call_error(name, reply)
        mutated = reply.get("mutated")
        if isinstance(mutated, list):
            write_back(args, kwargs, [m for m in mutated if isinstance(m, list) and len(m) == 2])
        return reply.get("value")

    def _collect(self, worker: Worker, *, wait: bool = True) -> None:
        worker.kill(wait=wait)
        out = worker.captured_output()
        if out:
            self.output.append(out)

    def close(self) -> str:
        """Kill the worker; return everything the student's code printed."""
        for worker in (self.worker, self._prefetched):
            if worker is not None:
                self._collect(worker, wait=False)
        self.worker = self._prefetched = None
        return "\n".join(self.output)


class LocalRunner:
    """Calls a module in this process: no sandbox (template pytest, bench floor)."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def _local(self, value: Any) -> Any:
        if isinstance(value, RemoteFunction):
            return getattr(self.module, value.__name__)
        return value

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        fn = getattr(self.module, name, None)
        if not callable(fn):
            raise describe_call_error(name, {"kind": "missing"})
        args = tuple(self._local(a) for a in args)
        kwargs = {k: self._local(v) for k, v in kwargs.items()}
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - student code may raise anything
            raise describe_call_error(name, {"type": type(exc).__name__,
                                             "message": str(exc)}) from None
