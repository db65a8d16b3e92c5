"""errors.py: one place for the trusted side's exceptions and their exit codes."""

from __future__ import annotations

import signal

import pytest

from autograder import errors
from autograder.errors import (SETUP_FAILED, ConfigError, DlgradeError, ExitCode, GraderDied,
                               GraderFault, GradingInterrupted, SandboxError, SandboxUnavailable,
                               UsageError, WorkerGone)
from autograder.grading import interrupt
from autograder.sandbox import client


def test_exit_codes_are_the_documented_numbers() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 130]
    assert interrupt.INTERRUPTED_EXIT == ExitCode.INTERRUPTED  # the CLI's Ctrl-C code


@pytest.mark.parametrize(("error", "code"), [
    (UsageError("x"), 2), (ConfigError("x"), 2), (GraderFault("x"), 3),
    (SandboxError("x"), 3), (SandboxUnavailable("x"), 3),
    (WorkerGone("x"), 3), (GraderDied("x", []), 3), (GradingInterrupted(signal.SIGINT), 130),
])
def test_every_exception_carries_its_exit_code(error: Exception, code: int) -> None:
    assert int(error.exit_code) == code  # type: ignore[attr-defined]


def test_a_sandbox_failure_is_a_grader_fault_the_cli_reports_as_one_line() -> None:
    # the CLI catches DlgradeError: a sandbox that fails ends with exit 3, no traceback
    assert issubclass(SandboxUnavailable, SandboxError)
    assert issubclass(SandboxError, GraderFault)
    assert issubclass(GraderFault, DlgradeError)
    # signals between stages are not user errors: the CLI must not swallow them as such
    for signal_between_stages in (WorkerGone, GraderDied, GradingInterrupted):
        assert not issubclass(signal_between_stages, DlgradeError)


def test_the_sandbox_client_raises_the_very_classes_of_errors_py() -> None:
    assert client.SandboxError is SandboxError
    assert client.WorkerGone is WorkerGone
    assert client.SETUP_FAILED == SETUP_FAILED == 71
    assert interrupt.GradingInterrupted is GradingInterrupted


def test_worker_gone_says_whether_the_sandbox_could_not_set_it_up() -> None:
    assert WorkerGone("crashed", status={"exit": SETUP_FAILED}).setup_failed
    assert not WorkerGone("crashed", status={"exit": 1}).setup_failed
    assert not WorkerGone("timed out", timed_out=True).setup_failed


def test_interrupted_says_how_many_were_saved() -> None:
    stop = GradingInterrupted(signal.SIGTERM, done=3, total=10)
    assert str(stop) == "SIGTERM"
    assert stop.message() == ("interrupted: 3 of 10 graded and saved; run the same command "
                              "again to resume")


def test_every_exception_class_of_the_trusted_side_is_defined_in_errors_py() -> None:
    defined = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, BaseException)}
    assert defined == {"DlgradeError", "UsageError", "ConfigError", "GraderFault",
                       "SandboxError", "SandboxUnavailable", "WorkerGone",
                       "GradingInterrupted", "GraderDied"}
