"""The exceptions a user can cause, each carrying the exit code it ends with."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``dlgrade`` command."""

    OK = 0
    CHECKS_FAILED = 1  # dlgrade check: some public check failed
    USAGE = 2  # bad arguments, missing course, unknown assignment
    GRADER_FAULT = 3  # the grader itself failed (never the student's fault)


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
