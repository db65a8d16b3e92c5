"""Grade on a Dask distributed cluster: ``dlgrade grade ... --scheduler tcp://HOST:PORT``.

:class:`DaskBackend` has the interface of :class:`autograder.grading.pool.LocalPool`
(``start``, ``grade``, ``close``, ``specs``, ``protections``, ``mode``), so the
engine writes the same reports, gradebook and progress bar from it.

Each task carries what it needs: a small batch of submissions (their text) and
the *course bundle*, the assignment's files by content (``assignment.toml``,
public and hidden checks, ``mistakes.py``; tens of KB). Workers need dlgrade
installed, nothing else: no shared filesystem, no course checkout. On a
worker, a task writes the bundle into a private temp dir (once per worker
process) and hands the batch to a long-lived ``python -m autograder.grading.gradeproc``
kept per worker thread, so pytest and the sandbox start once per worker, not
once per task. Student code runs in the same sandbox as local grading.

Faults: a task whose worker dies is rerun elsewhere by Dask (results are
deduplicated by student); a task that keeps killing workers becomes a
"grader error" result for its submissions, never a silent zero; a scheduler
that vanishes mid-run raises :class:`GraderFault` after everything finished so
far was yielded (and recorded in the gradebook by the engine).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator

from autograder.course.assignment import Assignment, load_assignment
from autograder.errors import GraderDied as _GraderDied
from autograder.errors import GraderFault, UsageError
from autograder.grading.plugin import CheckSpec
from autograder.results import SubmissionResult, not_graded
from autograder.course.submission import Submission

BATCH = 8  # submissions per task (see bench/bench_dask.py)
TASKS_PER_THREAD = 2  # tasks in flight per worker thread: enough to hide latency
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
START_TIMEOUT = 120.0  # seconds for the workers to collect the checks
NO_WORKERS_TIMEOUT = 30.0  # seconds to wait for a first worker to join
IN_FLIGHT = 2  # submissions queued in one grading process at a time
FIRST_SLOT = 100  # sandbox uids 61100+ on workers (local grading uses 61000+jobs)


# --- the course bundle -----------------------------------------------------------------------

def course_bundle(assignment: Assignment) -> dict[str, Any]:
    """The assignment's files by content, as workers need them to grade.

    Returns:
        ``{"assignment": id, "files": {relpath: text}, "digest": hex}``; relpaths
        are relative to the course root (``assignments/<id>/public/test_relu.py``).
    """
    course = assignment.root.parent.parent
    paths = [assignment.root / "assignment.toml", assignment.root / "README.md"]
    for folder in (assignment.public_dir, assignment.hidden_dir):
        paths += sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    if assignment.mistakes_file:
        paths.append(assignment.mistakes_file)
    files = {p.relative_to(course).as_posix(): p.read_text(encoding="utf-8")
             for p in paths if p.is_file()}
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return {"assignment": assignment.id, "files": files, "digest": digest.hexdigest()[:16]}


def _dlgrade_version() -> str:
    try:
        return version("dlgrade")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


# --- worker side: runs inside Dask worker processes ------------------------------------------

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
    """A long-lived ``python -m autograder.grading.gradeproc`` on a worker, for one bundle."""

    def __init__(self, root: Path, config: dict[str, Any]) -> None:
        self.slot, slot_fd = _take_slot()
        try:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "autograder.grading.gradeproc"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                cwd=root, pass_fds=[slot_fd],  # the child holds the slot while it lives
            )
        finally:
            os.close(slot_fd)
        self.stderr: collections.deque[str] = collections.deque(maxlen=20)
        threading.Thread(target=self._drain, daemon=True).start()
        self._write({**config, "course": str(root), "job": self.slot})
        self.ready = self._read()
        if self.ready is None or self.ready.get("type") != "ready":
            self.close()
            raise _GraderDied(self._why(self.ready), [])

    def _drain(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr.append(line)

    def _write(self, message: dict[str, Any]) -> None:
        assert self.popen.stdin is not None
        try:
            self.popen.stdin.write(json.dumps(message) + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # noticed when its output ends

    def _read(self) -> dict[str, Any] | None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            try:
                return dict(json.loads(line))
            except (json.JSONDecodeError, TypeError, ValueError):
                continue
        return None

    def _why(self, message: dict[str, Any] | None) -> str:
        if message is not None and message.get("type") == "fault":
            return str(message.get("message", "fault"))
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        tail = "".join(self.stderr).strip().splitlines()[-3:]
        return f"the grading process exited ({self.popen.returncode}): " + " | ".join(tail)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def grade(self, subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Grade ``subs`` (Submission dicts) in order; raise :class:`_GraderDied`.

        A grading process only prepares the next sandbox early when the next
        submission has already arrived, so results never wait for more input.
        """
        results: list[dict[str, Any]] = []
        sent = 0
        while len(results) < len(subs):
            while sent < len(subs) and sent - len(results) < IN_FLIGHT:
                self._write({"submission": subs[sent]})
                sent += 1
            message = self._read()
            if message is None or message.get("type") != "result":
                if message is not None and message.get("type") != "fault":
                    continue
                self.close()
                raise _GraderDied(self._why(message), results)
            results.append(message["result"])
        return results

    def close(self) -> None:
        try:
            assert self.popen.stdin is not None
            self.popen.stdin.close()
        except OSError:
            pass
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def _key(bundle: dict[str, Any], config: dict[str, Any]) -> str:
    return bundle["digest"] + json.dumps(config, sort_keys=True)


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
            return {**(grader.ready or {}), "version": _dlgrade_version()}
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


# --- client side: runs in ``dlgrade grade`` -------------------------------------------------

class DaskBackend:
    """Grade on the Dask cluster at ``scheduler_address``; the LocalPool interface."""

    def __init__(self, scheduler_address: str, *, course_root: Path, assignment: str,
                 overrides: dict[str, Any] | None = None, sandbox: str = "auto",
                 hidden: bool = True, batch: int = BATCH) -> None:
        self.address = scheduler_address
        self.course_root = Path(course_root)
        self.assignment = assignment
        self.overrides = overrides or {}
        self.config = {"assignment": assignment, "hidden": hidden,
                       "overrides": self.overrides, "sandbox": sandbox}
        self.batch = max(1, batch)
        self.client: Any = None
        self.bundle: dict[str, Any] = {}
        self.specs: list[CheckSpec] = []
        self.protections: list[str] = []
        self.mode = ""
        self.threads = 1
        self._log_levels: dict[str, int] = {}

    def start(self) -> None:
        """Connect, send the course bundle, and collect the checks on every worker.

        Raises:
            UsageError: Dask is not installed, or the scheduler cannot be reached.
            GraderFault: the workers cannot grade (dlgrade missing, checks broken).
        """
        try:
            import distributed
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'dlgrade[dask]'") from None
        from distributed.comm.addressing import get_address_host_port

        try:
            get_address_host_port(self.address)
        except ValueError as exc:
            raise UsageError(f"--scheduler '{self.address}' is not a scheduler address like "
                             f"tcp://10.0.0.5:8786 ({exc})") from None
        assignment = load_assignment(self.course_root, self.assignment,
                                     overrides=self.overrides)
        self.bundle = course_bundle(assignment)
        self._quiet_logs()
        try:
            self.client = distributed.Client(self.address, timeout=CONNECT_TIMEOUT,
                                             set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.close()
            raise UsageError(f"cannot reach the Dask scheduler at {self.address}: "
                             f"{reason}") from None
        try:
            self.client.wait_for_workers(1, timeout=NO_WORKERS_TIMEOUT)
        except (TimeoutError, OSError):
            self.close()
            raise UsageError(f"the Dask scheduler at {self.address} has no workers; start "
                             f"some with: dask worker {self.address}") from None
        workers = self.client.scheduler_info()["workers"]
        self.threads = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
        self._collect_everywhere(list(workers))

    def _collect_everywhere(self, workers: list[str]) -> None:
        """Start a grading process on each worker (in parallel) and read the checks."""
        futures = [self.client.submit(_collect, self.bundle, self.config, pure=False,
                                      workers=[w], allow_other_workers=True,
                                      key=f"dlgrade-collect-{uuid.uuid4().hex}")
                   for w in workers]
        deadline = time.monotonic() + START_TIMEOUT
        try:
            replies = [f.result(timeout=max(deadline - time.monotonic(), 0.1)) for f in futures]
        except Exception as exc:  # ModuleNotFoundError on a worker, timeouts, lost workers
            self.close()
            raise GraderFault(f"the Dask workers could not start grading "
                              f"(is dlgrade installed on them?): {exc!r}") from None
        faults = [r["message"] for r in replies if r.get("type") != "ready"]
        if faults:
            self.close()
            raise GraderFault(f"the Dask workers could not start grading: {faults[0]}")
        mine = _dlgrade_version()
        others = sorted({r["version"] for r in replies} - {mine})
        if others:
            self.close()
            raise GraderFault(f"the Dask workers run dlgrade {', '.join(others)} but this "
                              f"machine runs {mine}: install the same version everywhere")
        first = replies[0]
        self.specs = [CheckSpec(id=c["id"], function=c["function"], points=c["points"],
                                visibility=c["visibility"], nodeid="")
                      for c in first["checks"]]
        modes = sorted({r["mode"] for r in replies})
        self.mode = "/".join(modes)
        self.protections = [p for p in first["protections"]
                            if all(p in r["protections"] for r in replies)]

    def grade(self, submissions: Iterable[Submission]) -> Iterator[SubmissionResult]:
        """Yield one result per submission, in completion order.

        Raises:
            GraderFault: the scheduler vanished; what finished before was yielded.
        """
        import distributed

        subs = list(submissions)
        batches = iter([subs[i:i + self.batch] for i in range(0, len(subs), self.batch)])
        running: dict[str, list[Submission]] = {}
        done: set[str] = set()
        stream = distributed.as_completed(loop=self.client.loop, with_results=True,
                                          raise_errors=False)

        def submit_next() -> bool:
            batch = next(batches, None)
            if batch is None:
                return False
            if not self._connected():  # never queue work on a client that lost its scheduler
                raise self._lost(len(done), len(subs))
            future = self.client.submit(
                _grade_batch, self.bundle, self.config, [s.to_dict() for s in batch],
                pure=False, key=f"dlgrade-grade-{uuid.uuid4().hex}")
            running[future.key] = batch
            stream.add(future)
            return True

        for _ in range(TASKS_PER_THREAD * self.threads):
            submit_next()
        checked = time.monotonic()
        for future, value in stream:
            batch = running.pop(future.key)
            if future.status == "finished":
                results, fault = value
            elif self._scheduler_lost(value):
                raise self._lost(len(done), len(subs))
            else:  # the task kept killing workers, a worker broke, or it was cancelled
                results, fault = [], f"the Dask task failed: {value!r}"
            for data in results:
                result = SubmissionResult.from_dict(data)
                if result.student not in done:  # a rerun task never counts twice
                    done.add(result.student)
                    yield result
            for sub in batch:
                if sub.student not in done:
                    done.add(sub.student)
                    yield self.fault_result(sub, fault or "the Dask task returned no result")
            if time.monotonic() - checked > 2.0 and self._connected():
                checked = time.monotonic()  # workers may have joined or left
                with contextlib.suppress(Exception):
                    self.threads = max(1, sum(self.client.nthreads().values()))
            while len(running) < TASKS_PER_THREAD * self.threads and submit_next():
                pass

    def _connected(self) -> bool:
        return self.client is not None and self.client.status == "running"

    def _lost(self, done: int, total: int) -> GraderFault:
        return GraderFault(f"lost the Dask scheduler at {self.address} after {done} of {total} "
                           "submissions; the finished ones are in the gradebook: rerun the "
                           "same command to grade the rest")

    def _scheduler_lost(self, error: Any) -> bool:
        reason = getattr(error, "reason", None)
        return not self._connected() or reason in ("scheduler-connection-lost",
                                                   "scheduler-restart")

    def fault_result(self, sub: Submission, message: str) -> SubmissionResult:
        """A grader-error result for a submission that was not graded."""
        return not_graded(student=sub.student, assignment=self.assignment,
                          content_hash=sub.content_hash, specs=self.specs, reason=message)

    def close(self) -> None:
        """Stop the workers' grading processes for this run and disconnect."""
        if self.client is None:
            self._restore_logs()
            return
        client, self.client = self.client, None
        try:
            if client.status == "running" and self.bundle:
                client.run(_release, self.bundle["digest"])
        except Exception:  # noqa: BLE001 - best effort: the cluster may be gone
            pass
        try:
            client.close(timeout=5)
        except Exception:  # noqa: BLE001
            pass
        self._restore_logs()

    def _quiet_logs(self) -> None:
        """Silence the client's reconnection tracebacks: our errors say it in one line."""
        roots = ("distributed", "tornado", "asyncio")  # tornado logs the lost connection too
        names = [*roots, *(n for n in logging.root.manager.loggerDict
                           if n.startswith(tuple(r + "." for r in roots)))]
        for name in names:
            logger = logging.getLogger(name)
            self._log_levels.setdefault(name, logger.level)
            logger.setLevel(logging.CRITICAL)

    def _restore_logs(self) -> None:
        for name, level in self._log_levels.items():
            logging.getLogger(name).setLevel(level)
        self._log_levels.clear()
