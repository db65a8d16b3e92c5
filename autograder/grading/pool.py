"""Run grading processes in parallel and stream their results back.

Each of ``jobs`` processes is a :mod:`autograder.grading.gradeproc` with its own
pytest session and sandbox zygote; submissions are handed out as processes
become free (two in flight each, to hide latency), and results are yielded as
soon as they arrive, so the caller can write reports without holding them.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections import deque
from typing import Any, Iterable, Iterator

from autograder.errors import GraderFault
from autograder.options import DEFAULT_JOBS
from autograder.results import CheckSpec, SubmissionResult, not_graded
from autograder.course.submission import Submission

IN_FLIGHT = 2


class _Proc:
    def __init__(self, index: int, config: dict[str, Any], inbox: "queue.Queue[Any]") -> None:
        self.index = index
        self.pending: deque[Submission] = deque()
        self.alive = True
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "autograder.grading.gradeproc"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        )
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps({**config, "job": index}) + "\n")
        self.popen.stdin.flush()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, args=(inbox,), daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self, inbox: "queue.Queue[Any]") -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            try:
                inbox.put((self, json.loads(line)))
            except json.JSONDecodeError:
                continue
        inbox.put((self, None))  # end of output: the process is gone

    def _read_err(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr = (self.stderr + [line])[-30:]

    def send(self, sub: Submission) -> None:
        assert self.popen.stdin is not None
        self.pending.append(sub)
        try:
            self.popen.stdin.write(json.dumps({"submission": sub.to_dict()}) + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # noticed when its output ends

    def finish(self) -> None:
        """Close its input (idempotent): it grades what it was sent, then exits."""
        try:
            assert self.popen.stdin is not None
            if not self.popen.stdin.closed:
                self.popen.stdin.close()
        except OSError:
            pass


class LocalPool:
    """``jobs`` grading processes on this machine."""

    def __init__(self, *, course: str, assignment: str, jobs: int = DEFAULT_JOBS,
                 overrides: dict[str, Any] | None = None, hidden: bool = True,
                 sandbox: str = "auto") -> None:
        self.config = {"course": course, "assignment": assignment, "hidden": hidden,
                       "overrides": overrides or {}, "sandbox": sandbox}
        self.jobs = max(1, jobs)
        self.inbox: "queue.Queue[Any]" = queue.Queue()
        self.procs: list[_Proc] = []
        self.specs: list[CheckSpec] = []
        self.protections: list[str] = []
        self.mode = ""

    def start(self) -> None:
        """Start the processes and wait until their checks are collected."""
        self.procs = [_Proc(i, self.config, self.inbox) for i in range(self.jobs)]
        ready = 0
        while ready < len(self.procs):
            proc, msg = self.inbox.get()
            if msg is None or msg.get("type") == "fault":
                self.close()
                detail = msg["message"] if msg else "".join(proc.stderr[-10:])
                raise GraderFault(f"a grading process failed to start: {detail}".strip())
            if msg.get("type") == "ready":
                ready += 1
                self.specs = [CheckSpec(id=c["id"], function=c["function"],
                                        points=c["points"], visibility=c["visibility"],
                                        nodeid="") for c in msg["checks"]]
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
                if proc.pending:
                    proc.pending.popleft()
                outstanding -= 1
                yield SubmissionResult.from_dict(msg["result"])
            elif msg is None or msg.get("type") == "fault":
                proc.alive = False
                reason = msg["message"] if msg else "".join(proc.stderr[-5:]) or "it exited"
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
        return not_graded(student=sub.student, assignment=str(self.config["assignment"]),
                          content_hash=sub.content_hash, specs=self.specs, reason=message)

    def stop(self) -> None:
        """Stop now (an interruption): end every grading process and its sandbox."""
        for proc in self.procs:
            proc.alive = False
            if proc.popen.poll() is None:
                proc.popen.terminate()  # its zygote and workers die with it (PDEATHSIG)

    def close(self) -> None:
        for proc in self.procs:
            proc.finish()
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
