"""A grading process: ``python -m autograder.grading.gradeproc``.

Runs one :func:`autograder.grading.session.run_session` for a stream of submissions.
Protocol (JSON lines, trusted on both ends): the first stdin line is the
configuration; each further line is ``{"submission": {...}}``; end of input
ends the session. It answers on stdout with ``{"type": "ready", ...}`` once the
checks are collected, then one ``{"type": "result", ...}`` per submission, or
``{"type": "fault", "message": ...}`` when the grader itself fails.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
from pathlib import Path
from typing import IO, Any, Iterator

from autograder.course.assignment import load_assignment
from autograder.errors import DlgradeError
from autograder.results import CheckSpec
from autograder.results import SubmissionResult
from autograder.sandbox.client import Zygote
from autograder.grading.session import run_session
from autograder.course.submission import Submission


class _Inbox:
    """Submissions read by a thread, so the grader can see whether the next
    one has already arrived (``ready``) without blocking on it."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._queue: "queue.Queue[Submission | None]" = queue.Queue()
        threading.Thread(target=self._read, args=(lines,), daemon=True).start()

    def _read(self, lines: Iterator[str]) -> None:
        for line in lines:
            if line.strip():
                self._queue.put(Submission.from_dict(json.loads(line)["submission"]))
        self._queue.put(None)

    def ready(self) -> bool:
        return not self._queue.empty()

    def __iter__(self) -> Iterator[Submission]:
        while (sub := self._queue.get()) is not None:
            yield sub


def serve(config: dict[str, Any], lines: Iterator[str], out: IO[str]) -> int:
    """Grade the submissions read from ``lines``; write replies to ``out``."""
    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    source = _Inbox(lines)

    def on_ready(specs: list[CheckSpec], zygote: Zygote) -> None:
        send({"type": "ready", "checks": [s.to_dict() for s in specs],
              "protections": zygote.protections, "mode": zygote.mode})

    def emit(result: SubmissionResult) -> None:
        send({"type": "result", "result": result.to_dict()})

    try:
        assignment = load_assignment(Path(config["course"]), config["assignment"],
                                     overrides=config.get("overrides"))
        run_session(assignment=assignment, submissions=source, emit=emit,
                    hidden=config.get("hidden", True), job=int(config.get("job", 0)),
                    sandbox_mode=config.get("sandbox", "auto"), on_ready=on_ready)
    except DlgradeError as exc:
        send({"type": "fault", "message": str(exc)})
        return int(exc.exit_code)
    return 0


def main() -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not the protocol
    config = json.loads(sys.stdin.readline())
    return serve(config, iter(sys.stdin.readline, ""), out)


if __name__ == "__main__":
    sys.exit(main())
