"""What the engine grades with: a :class:`Backend`.

Two implement it: :class:`autograder.grading.pool.LocalPool` (grading
processes on this machine) and :class:`autograder.grading.dask_client.DaskBackend`
(grading processes on a Dask cluster). Both talk to their grading processes
through :class:`autograder.grading.gradeproc_client.GradeProcess`.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Protocol

from autograder.course.submission import Submission
from autograder.results import CheckSpec, SubmissionResult


class Backend(Protocol):
    """Grades a stream of submissions; known after :meth:`start`: the checks
    (``specs``), the sandbox's ``protections`` and its ``mode``."""

    specs: list[CheckSpec]
    protections: list[str]
    mode: str

    def start(self) -> None:
        """Start grading processes and wait until their checks are collected."""

    def grade(self, submissions: Iterable[Submission]) -> Iterator[SubmissionResult]:
        """Yield one result per submission, in completion order."""
        ...

    def stop(self) -> None:
        """Stop now (an interruption): what was not finished is not graded."""

    def close(self) -> None:
        """Let the grading processes finish and release everything (idempotent)."""
