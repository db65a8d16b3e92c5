"""The one client of a grading process (:mod:`autograder.grading.gradeproc`).

Both backends talk to grading processes through :class:`GradeProcess`: the
local pool (several processes, their replies merged into one inbox) and each
Dask worker (one process per worker thread, read in turn). The protocol is
JSON lines, trusted on both ends; see :mod:`autograder.grading.gradeproc`.
"""

from __future__ import annotations

import collections
import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from autograder.course.submission import Submission
from autograder.grading import gradeproc
from autograder.results import CheckSpec, SubmissionResult, not_graded

IN_FLIGHT = 2  # submissions queued in one grading process at a time: enough to hide latency

Message = dict[str, Any]


class GradeProcess:
    """One ``python -m autograder.grading.gradeproc``, its input and its replies.

    Replies are read by a thread into ``inbox`` (shared by several processes,
    or this one's own); the last lines of its stderr are kept for messages.

    Args:
        config: the first protocol line (course, assignment, job, sandbox...).
        inbox: where replies go as ``(process, message)``; ``(process, None)``
            when its output ends. None: a private one, read with :meth:`read`.
        cwd: the process's working directory.
        pass_fds: file descriptors the process inherits (a Dask slot lock).
    """

    def __init__(self, config: Message, *,
                 inbox: queue.Queue[tuple[GradeProcess, Message | None]] | None = None,
                 cwd: Path | None = None, pass_fds: tuple[int, ...] = ()) -> None:
        self.inbox: queue.Queue[tuple[GradeProcess, Message | None]] = (
            inbox if inbox is not None else queue.Queue())
        self.pending: collections.deque[Submission] = collections.deque()
        self.stderr: collections.deque[str] = collections.deque(maxlen=30)
        self.alive = True  # until its output ends or it faults (the caller's view)
        self.popen = subprocess.Popen(
            [sys.executable, "-m", gradeproc.__name__], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            cwd=cwd, pass_fds=pass_fds,
        )
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        self._write(config)

    def _read_out(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(message, dict):
                self.inbox.put((self, message))
        self.inbox.put((self, None))  # end of output: the process is gone

    def _read_err(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr.append(line)

    def _write(self, message: Message) -> None:
        assert self.popen.stdin is not None
        try:
            self.popen.stdin.write(json.dumps(message) + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # noticed when its output ends

    def read(self) -> Message | None:
        """The next reply from a process with its own inbox (None: it is gone)."""
        return self.inbox.get()[1]

    def send(self, sub: Submission) -> None:
        """Queue ``sub`` for grading; it stays in :attr:`pending` until answered."""
        self.pending.append(sub)
        self._write({"submission": sub.to_dict()})

    def answered(self) -> None:
        """A result arrived: the oldest pending submission is done."""
        if self.pending:
            self.pending.popleft()

    def stderr_tail(self, lines: int) -> str:
        """The last ``lines`` lines it wrote to stderr, as written."""
        return "".join(list(self.stderr)[-lines:])

    def exited(self) -> str:
        """Wait for it to end; say how, with the last lines of its stderr."""
        self.wait()
        tail = "".join(self.stderr).strip().splitlines()[-3:]
        return f"the grading process exited ({self.popen.returncode}): " + " | ".join(tail)

    @property
    def running(self) -> bool:
        """Is the operating-system process still running?"""
        return self.popen.poll() is None

    def finish(self) -> None:
        """Close its input (idempotent): it grades what it was sent, then exits."""
        try:
            assert self.popen.stdin is not None
            if not self.popen.stdin.closed:
                self.popen.stdin.close()
        except OSError:
            pass

    def stop(self) -> None:
        """End it now: its zygote and sandboxed workers die with it (PDEATHSIG)."""
        self.alive = False
        if self.popen.poll() is None:
            self.popen.terminate()

    def wait(self, timeout: float = 10) -> None:
        """Wait for it to exit; kill it after ``timeout`` seconds."""
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def close(self) -> None:
        """Close its input and wait for it to exit."""
        self.finish()
        self.wait()


def ready_specs(message: Message) -> list[CheckSpec]:
    """The checks a ``ready`` reply lists."""
    return [CheckSpec.from_dict(c) for c in message["checks"]]


def fault_result(sub: Submission, *, assignment: str, specs: list[CheckSpec],
                 message: str) -> SubmissionResult:
    """A grader-error result for a submission that was not graded (never a silent zero)."""
    return not_graded(student=sub.student, assignment=assignment,
                      content_hash=sub.content_hash, specs=specs, reason=message)
