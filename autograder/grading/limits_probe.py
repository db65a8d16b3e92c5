"""Limits that cannot blame students: before grading, load the reference
solution (or, without one, a tiny numpy program) in the sandbox under the
chosen limits. If it cannot load and answer, the limits are wrong, not the
students: that is a usage error naming the limit, never a class of zeros."""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.errors import ConfigError, DlgradeError, GraderFault, UsageError
from autograder.course.limits import Limits
from autograder.errors import SandboxError, WorkerGone
from autograder.sandbox.client import Zygote

PROBE_FUNCTION = "dlgrade_limits_probe"
PROBE_SOURCE = f'''

def {PROBE_FUNCTION}():
    import numpy as np
    a = np.arange(256.0).reshape(16, 16) / 256.0
    return float((a @ a.T).sum() + np.exp(-a).sum())
'''
GENEROUS_MB = 4096  # the most a probe tries when looking for the smallest memory that works
STEP_MB = 16
GENEROUS_SECONDS = 30.0


@dataclass
class ProbeOutcome:
    """What one probe run saw: ``error`` is empty when the code loaded and answered."""

    error: str = ""
    timed_out: bool = False
    seconds: float = 0.0


def probe_files(course_root: Path, submit: str,
                also: tuple[str, ...] = ()) -> tuple[dict[str, str], str]:
    """The reference solution plus the probe function (or the probe alone), with the
    reference files ``also`` submitted beside it (the files it may import)."""
    reference = course_root / "solutions" / submit
    if submit.endswith(".py") and reference.is_file():
        source, what = reference.read_text(encoding="utf-8"), f"solutions/{submit}"
    else:
        source, what = "import numpy as np\n", "a minimal numpy program"
    siblings = {name: (reference.parent / name).read_text(encoding="utf-8") for name in also
                if (reference.parent / name).is_file()} if reference.is_file() else {}
    return {**siblings, submit: source + PROBE_SOURCE}, what


def run_probe(zygote: Zygote, files: dict[str, str], submit: str, limits: Limits) -> ProbeOutcome:
    """Load ``files`` in one worker under ``limits`` and call the probe function."""
    start = time.perf_counter()
    spec = {"kind": "py", "module": Path(submit).stem, "entry": submit}
    worker = zygote.spawn(files=files, spec=spec, limits=limits)
    outcome = ProbeOutcome()
    try:
        ready = worker.wait_ready()
        error = ready.get("import_error") if isinstance(ready, dict) else None
        if isinstance(error, dict):
            outcome.error = f"loading failed: {error.get('type')}: {error.get('message')}"
            outcome.error = outcome.error.rstrip(": ")
        else:
            reply = worker.call({"fn": PROBE_FUNCTION, "args": [], "kwargs": {}}, lambda f: None)
            if not reply.get("ok"):
                outcome.error = (f"a numpy call failed: {reply.get('type', 'error')}: "
                                 f"{reply.get('message', '')}")
    except WorkerGone as exc:
        outcome.error, outcome.timed_out = f"the worker {exc.reason}", exc.timed_out
    finally:
        worker.kill(wait=False)
        worker.captured_output()
    outcome.seconds = time.perf_counter() - start
    return outcome


def smallest_memory(zygote: Zygote, files: dict[str, str], submit: str, limits: Limits) -> int:
    """The smallest memory limit (MB, a multiple of STEP_MB) under which the probe passes."""
    low, high = limits.memory_mb, GENEROUS_MB  # low fails, high passes
    while high - low > STEP_MB:
        middle = (low + high) // 2 // STEP_MB * STEP_MB
        if middle <= low:
            break
        ok = not run_probe(zygote, files, submit,
                           dataclasses.replace(limits, memory_mb=middle)).error
        low, high = (low, middle) if ok else (middle, high)
    return high


def check_limits(course_root: Path, submit: str, limits: Limits, *, mode: str = "auto",
                 given: dict[str, str] | None = None, also: tuple[str, ...] = ()) -> float:
    """Fail with a usage error when the reference solution cannot run under ``limits``.

    Args:
        course_root: the course (its ``solutions/`` holds the reference, if any).
        submit: the file students submit (``neural_network.py``).
        limits: the limits grading will use.
        mode: the sandbox mode.
        given: how the user set each limit, e.g. ``{"memory_mb": "--memory"}``; a limit
            not listed comes from ``assignment.toml``.
        also: the other submitted files, which the reference may import.

    Returns:
        The seconds the probe took.

    Raises:
        UsageError: a limit given on the command line is too small.
        ConfigError: a limit from assignment.toml is too small, or the reference fails.
    """
    start = time.perf_counter()
    given = given or {}
    files, what = probe_files(course_root, submit, also)
    zygote = Zygote(job=0, mode=mode)
    try:
        outcome = run_probe(zygote, files, submit, limits)
        if outcome.error and outcome.timed_out:  # a busy machine: try once more
            outcome = run_probe(zygote, files, submit, limits)
        if not outcome.error:
            return time.perf_counter() - start
        roomy = dataclasses.replace(limits, memory_mb=max(limits.memory_mb, GENEROUS_MB))
        if not run_probe(zygote, files, submit, roomy).error:
            need = smallest_memory(zygote, files, submit, limits)
            raise _error("memory_mb", given, f"{limits.memory_mb} MB is too small for "
                         f"numpy; at least {need} MB is needed to load {what} "
                         f"({outcome.error})")
        slow = dataclasses.replace(roomy, call_timeout=max(limits.call_timeout,
                                                           GENEROUS_SECONDS),
                                   import_timeout=max(limits.import_timeout,
                                                      GENEROUS_SECONDS))
        second = run_probe(zygote, files, submit, slow)
        if not second.error:
            name = "call_timeout" if "call_timeout" in given else "import_timeout"
            value = getattr(limits, name)
            raise _error(name, given, f"{value:g} s is too short: loading {what} and one "
                         f"numpy call took {second.seconds:.2f} s in the sandbox")
        raise ConfigError(f"{what} does not run in the sandbox even with generous limits, "
                          f"so every student would fail: {second.error}")
    finally:
        zygote.close()


def _error(limit: str, given: dict[str, str], text: str) -> UsageError | ConfigError:
    if limit in given:
        return UsageError(f"{given[limit]} {text}")
    return ConfigError(f"assignment.toml [limits] {limit} = {text}")


OPTION_NAMES = {"memory_mb": "--memory", "call_timeout": "--timeout", "import_timeout": "--timeout"}


class LimitsProbe:
    """:func:`check_limits` in a thread, so it overlaps the grading processes' start-up."""

    def __init__(self, course_root: Path, submit: str, limits: Limits, *, mode: str,
                 overrides: dict[str, Any], also: tuple[str, ...] = ()) -> None:
        given = {k: v for k, v in OPTION_NAMES.items() if overrides.get(k) is not None}
        self.seconds = 0.0
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(course_root, submit, limits, mode, given, also), daemon=True)

    def _run(self, course_root: Path, submit: str, limits: Limits, mode: str,
             given: dict[str, str], also: tuple[str, ...]) -> None:
        try:
            self.seconds = check_limits(course_root, submit, limits, mode=mode, given=given,
                                        also=also)
        except DlgradeError as exc:
            self._error = exc

    def start(self) -> None:
        self._thread.start()

    def result(self) -> float:
        """Wait for the probe; raise its usage error, if any. Returns its seconds."""
        self._thread.join()
        if isinstance(self._error, SandboxError):
            raise GraderFault(str(self._error))
        if self._error is not None:
            raise self._error
        return self.seconds
