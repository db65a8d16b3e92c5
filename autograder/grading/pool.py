"""Run grading processes in parallel and stream their results back.

Each of ``jobs`` processes is a :mod:`autograder.grading.gradeproc` with its own
pytest session and sandbox zygote; submissions are handed out as processes
become free (``IN_FLIGHT`` each, to hide latency), and results are yielded as
soon as they arrive, so the caller can write reports without holding them.
"""

from __future__ import annotations

import queue
from typing import Any, Iterable, Iterator

from autograder.course.submission import Submission
from autograder.errors import GraderFault
from autograder.options import DEFAULT_JOBS
from autograder.grading.gradeproc_client import (
    IN_FLIGHT,
    GradeProcess,
    Message,
    fault_result,
    ready_specs,
)
from autograder.results import CheckSpec, SubmissionResult


class LocalPool:
    """``jobs`` grading processes on this machine: a local ``Backend``."""

    def __init__(self, *, course: str, assignment: str, jobs: int = DEFAULT_JOBS,
                 overrides: dict[str, Any] | None = None, hidden: bool = True,
                 sandbox: str = "auto") -> None:
        self.config = {"course": course, "assignment": assignment, "hidden": hidden,
                       "overrides": overrides or {}, "sandbox": sandbox}
        self.jobs = max(1, jobs)
        self.inbox: queue.Queue[tuple[GradeProcess, Message | None]] = queue.Queue()
        self.procs: list[GradeProcess] = []
        self.specs: list[CheckSpec] = []
        self.protections: list[str] = []
        self.mode = ""

    def start(self) -> None:
        """Start the processes and wait until their checks are collected."""
        self.procs = [GradeProcess({**self.config, "job": i}, inbox=self.inbox)
                      for i in range(self.jobs)]
        ready = 0
        while ready < len(self.procs):
            proc, msg = self.inbox.get()
            if msg is None or msg.get("type") == "fault":
                self.close()
                detail = msg["message"] if msg else proc.stderr_tail(10)
                raise GraderFault(f"a grading process failed to start: {detail}".strip())
            if msg.get("type") == "ready":
                ready += 1
                self.specs = ready_specs(msg)
                self.protections, self.mode = msg["protections"], msg["mode"]

    def grade(self, submissions: Iterable[Submission]) -> Iterator[SubmissionResult]:
        """Yield one result per submission, in completion order."""
        todo = iter(submissions)
        exhausted = False
        outstanding = 0
        while True:
            for proc in self.procs:
                while proc.alive and not exhausted and len(proc.pending) < IN_FLIGHT:
                    sub = next(todo, None)
                    if sub is None:
                        exhausted = True
                        break
                    proc.send(sub)
                    outstanding += 1
            if exhausted:  # end of input: each process finishes what it has, then exits
                for proc in self.procs:
                    if proc.alive:
                        proc.finish()
            if outstanding == 0:
                return
            proc, msg = self.inbox.get()
            if msg is not None and msg.get("type") == "result":
                proc.answered()
                outstanding -= 1
                yield SubmissionResult.from_dict(msg["result"])
            elif msg is None or msg.get("type") == "fault":
                proc.alive = False
                reason = msg["message"] if msg else proc.stderr_tail(5) or "it exited"
                for sub in proc.pending:  # never a silent zero
                    outstanding -= 1
                    yield self.fault_result(sub, f"the grading process failed: {reason}")
                proc.pending.clear()
                if not any(p.alive for p in self.procs):
                    rest = list(todo)
                    for sub in rest:
                        yield self.fault_result(sub, "not graded: every grading process failed")
                    if outstanding > 0 or rest:
                        raise GraderFault(f"every grading process failed: {reason}")
                    return

    def fault_result(self, sub: Submission, message: str) -> SubmissionResult:
        """A grader-error result for a submission that was not graded."""
        return fault_result(sub, assignment=str(self.config["assignment"]), specs=self.specs,
                            message=message)

    def stop(self) -> None:
        """Stop now (an interruption): end every grading process and its sandbox."""
        for proc in self.procs:
            proc.stop()

    def close(self) -> None:
        """Let every process finish what it was sent, and wait for it."""
        for proc in self.procs:
            proc.finish()
        for proc in self.procs:
            proc.wait()
