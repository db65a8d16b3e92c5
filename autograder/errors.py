"""Every exception of the trusted side, each carrying the exit code it ends with.

:class:`DlgradeError` and its subclasses are what the CLI turns into one line
(``dlgrade: error: ...``) and ``exit_code``. The others are signals between
stages of a grading run, caught on the way up; they carry ``exit_code`` too,
for the caller that has to end the process.

Exceptions that stay where they are, because the files raising them cannot
import dlgrade (they run inside the jail or are copied to students):

* ``WireError`` (sandbox/codec.py): the frame codec, loaded by the zygote and
  the worker inside the jail as well as by the trusted side.
* ``SandboxSetupError`` (sandbox/zygote.py), ``SeccompError``
  (sandbox/seccomp.py), ``LandlockError`` (sandbox/landlock.py): raised while
  the jail is built, in the zygote's process; the trusted side sees only the
  worker's exit code (:data:`SETUP_FAILED`).
* ``StudentError`` (runtime/checkrun.py), ``NeedsPytest``
  (runtime/lightrun.py): the check runtime copied into the student template and
  nbgrader notebooks.
* ``CheckFailed`` (checklib.py): the assertion helpers, loaded by path into the
  checks' process and copied to students.
"""

from __future__ import annotations

import signal
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Process exit codes of the ``dlgrade`` command."""

    OK = 0
    CHECKS_FAILED = 1  # dlgrade check: some public check failed
    USAGE = 2  # bad arguments, missing course, unknown assignment
    GRADER_FAULT = 3  # the grader itself failed (never the student's fault)
    INTERRUPTED = 130  # Ctrl-C or SIGTERM: the shell's convention for "ended by Ctrl-C"


# the zygote's exit code for a worker it could not set up (the jail-side files
# sandbox/zygote.py and sandbox/portable_main.py spell the same number)
SETUP_FAILED = 71


class DlgradeError(Exception):
    """An error reported as one clear line and a non-zero exit."""

    exit_code = ExitCode.USAGE


class UsageError(DlgradeError):
    """The user asked for something that cannot be done (bad path, name...)."""


class ConfigError(DlgradeError):
    """Course content (assignment.toml, checks) is malformed."""


class GraderFault(DlgradeError):
    """The grader failed; scores from this run must not be trusted."""

    exit_code = ExitCode.GRADER_FAULT


class SandboxError(GraderFault):
    """The sandbox itself failed (a grader fault, not the student's)."""


class SandboxUnavailable(SandboxError):
    """The sandbox mode that was asked for cannot run here."""


class WorkerGone(Exception):
    """The worker died or timed out; ``reason`` says how, for students.

    Caught per student (the checks of that call fail); only a worker the
    sandbox could not set up (:attr:`setup_failed`) is a grader fault.
    """

    exit_code = ExitCode.GRADER_FAULT

    def __init__(self, reason: str, *, timed_out: bool = False,
                 status: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out
        self.status: dict[str, Any] = status or {}

    @property
    def setup_failed(self) -> bool:
        """The sandbox could not set the worker up: a grader fault."""
        return bool(self.status.get("exit") == SETUP_FAILED)


class GradingInterrupted(Exception):
    """SIGINT or SIGTERM arrived; ``done`` of ``total`` results were saved."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, signum: int, done: int = 0, total: int = 0) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.done = done
        self.total = total

    def message(self) -> str:
        """The one line the CLI prints."""
        return (f"interrupted: {self.done} of {self.total} graded and saved; run the same "
                "command again to resume")


class GraderDied(Exception):
    """A grading process on a Dask worker ended or faulted; ``results`` were
    finished before (the Dask task reports them and the fault)."""

    exit_code = ExitCode.GRADER_FAULT

    def __init__(self, message: str, results: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.results = results
