"""The worker side of grading on Dask: runs inside Dask worker processes.

A task (:func:`_collect`, :func:`_grade_batch`, :func:`_release`) carries the
course bundle (:mod:`autograder.grading.dask_bundle`) and a small batch of
submissions. On a worker, the bundle is written into a private temp dir (once
per worker process) and the batch goes to a long-lived grading process kept
per worker thread (a :class:`~autograder.grading.gradeproc_client.GradeProcess`),
so pytest and the sandbox start once per worker, not once per task. Each
grading process holds a *slot* (a locked file) that picks its sandbox uid, so
two workers on one machine never share one. The client side is
:mod:`autograder.grading.dask_client`.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from autograder.course.submission import Submission
from autograder.errors import GraderDied as _GraderDied
from autograder.errors import GraderFault
from autograder.grading.dask_bundle import dlgrade_version
from autograder.grading.gradeproc_client import IN_FLIGHT, GradeProcess

FIRST_SLOT = 100  # sandbox uids 61100+ on workers (local grading uses 61000+jobs)

_LOCK = threading.Lock()
_ROOTS: dict[str, Path] = {}  # bundle digest -> materialised course root
_IDLE: dict[str, list["_Grader"]] = {}  # grader key -> idle grading processes
_BUSY: collections.Counter[str] = collections.Counter()  # bundle digest -> graders in use


def _materialise(bundle: dict[str, Any]) -> Path:
    """Write the bundle into a private course root, once per worker process."""
    digest = bundle["digest"]
    with _LOCK:
        if digest in _ROOTS:
            return _ROOTS[digest]
        _remove_stale_roots()
        root = Path(tempfile.mkdtemp(prefix=f"dlgrade-course-{os.getpid()}-"))  # mode 0700
        for rel, text in bundle["files"].items():
            parts = PurePosixPath(rel).parts
            if PurePosixPath(rel).is_absolute() or ".." in parts:
                raise GraderFault(f"refusing a course file outside the course: {rel}")
            path = root.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _ROOTS[digest] = root
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        return root


def _remove_stale_roots() -> None:
    """Remove course roots left by worker processes that were killed (no atexit)."""
    for folder in Path(tempfile.gettempdir()).glob("dlgrade-course-*-*"):
        try:
            os.kill(int(folder.name.split("-")[2]), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, IndexError, PermissionError):
            continue


def _take_slot() -> tuple[int, int]:
    """A job number no other grading process on this machine holds (a locked file).

    The number picks the sandbox's unprivileged uid, so two workers on one
    machine never share one. The lock lasts as long as the grading process.
    """
    folder = Path(tempfile.gettempdir()) / "dlgrade-slots"
    folder.mkdir(mode=0o700, exist_ok=True)
    for number in range(FIRST_SLOT, FIRST_SLOT + 1000):
        fd = os.open(folder / f"{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return number, fd
        except BlockingIOError:
            os.close(fd)
    raise GraderFault("no free grading slot on this worker (1000 grading processes?)")


class _Grader:
    """A long-lived grading process on a worker, for one bundle."""

    def __init__(self, root: Path, config: dict[str, Any]) -> None:
        self.slot, slot_fd = _take_slot()
        try:  # the child holds the slot while it lives
            self.proc = GradeProcess({**config, "course": str(root), "job": self.slot},
                                     cwd=root, pass_fds=(slot_fd,))
        finally:
            os.close(slot_fd)
        self.ready = self.proc.read()
        if self.ready is None or self.ready.get("type") != "ready":
            self.close()
            raise _GraderDied(self._why(self.ready), [])

    def _why(self, message: dict[str, Any] | None) -> str:
        if message is not None and message.get("type") == "fault":
            return str(message.get("message", "fault"))
        return self.proc.exited()

    @property
    def alive(self) -> bool:
        return self.proc.running

    def grade(self, subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Grade ``subs`` (Submission dicts) in order; raise :class:`_GraderDied`.

        A grading process only prepares the next sandbox early when the next
        submission has already arrived, so results never wait for more input.
        """
        results: list[dict[str, Any]] = []
        sent = 0
        while len(results) < len(subs):
            while sent < len(subs) and sent - len(results) < IN_FLIGHT:
                self.proc.send(Submission.from_dict(subs[sent]))
                sent += 1
            message = self.proc.read()
            if message is None or message.get("type") != "result":
                if message is not None and message.get("type") != "fault":
                    continue
                self.close()
                raise _GraderDied(self._why(message), results)
            self.proc.answered()
            results.append(message["result"])
        return results

    def close(self) -> None:
        self.proc.close()


def _key(bundle: dict[str, Any], config: dict[str, Any]) -> str:
    return str(bundle["digest"]) + json.dumps(config, sort_keys=True)


@contextlib.contextmanager
def _grader(bundle: dict[str, Any], config: dict[str, Any]) -> Iterator[_Grader]:
    """An idle grading process for this bundle and config, started if none is idle."""
    key, digest = _key(bundle, config), bundle["digest"]
    root = _materialise(bundle)
    with _LOCK:
        idle = _IDLE.setdefault(key, [])
        grader = idle.pop() if idle else None
        _BUSY[digest] += 1
    try:
        if grader is not None and not grader.alive:
            grader.close()  # reap it
            grader = None
        if grader is None:
            grader = _Grader(root, config)
        yield grader
    finally:
        with _LOCK:
            _BUSY[digest] -= 1
            if grader is not None and grader.alive:
                _IDLE.setdefault(key, []).append(grader)


def _collect(bundle: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Dask task: start a grading process; return its checks, sandbox mode and version."""
    try:
        with _grader(bundle, config) as grader:
            return {**(grader.ready or {}), "version": dlgrade_version()}
    except (_GraderDied, GraderFault) as exc:
        return {"type": "fault", "message": str(exc)}


def _grade_batch(bundle: dict[str, Any], config: dict[str, Any],
                 subs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """Dask task: grade a batch of submissions on this worker.

    Returns:
        (result dicts in order, fault message). A grading process that dies is
        restarted once for the rest of the batch; if that fails too, the
        remaining submissions are left out and the fault says why.
    """
    results: list[dict[str, Any]] = []
    fault = ""
    for _attempt in range(2):
        try:
            with _grader(bundle, config) as grader:
                results += grader.grade(subs[len(results):])
            return results, ""
        except _GraderDied as exc:
            results += exc.results
            fault = str(exc)
        except GraderFault as exc:
            fault = str(exc)
    return results, fault


def _release(digest: str) -> None:
    """Run on each worker at the end of a run: stop idle graders, remove the bundle."""
    def stop(graders: list[_Grader], root: Path | None) -> None:
        for grader in graders:
            grader.close()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    with _LOCK:
        graders = [g for key in list(_IDLE) if key.startswith(digest) for g in _IDLE.pop(key)]
        root = _ROOTS.pop(digest, None) if not _BUSY[digest] else None
    threading.Thread(target=stop, args=(graders, root), daemon=True).start()
