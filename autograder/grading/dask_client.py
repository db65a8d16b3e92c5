"""Grade on a Dask distributed cluster: ``dlgrade grade ... --scheduler tcp://HOST:PORT``.

:class:`DaskBackend` is a :class:`~autograder.grading.backend.Backend`, like the
local pool, so the engine writes the same reports, gradebook and progress bar
from it. It sends the course bundle (:mod:`autograder.grading.dask_bundle`)
with every task; the tasks run on the workers (:mod:`autograder.grading.dask_backend`).

Faults: a task whose worker dies is rerun elsewhere by Dask (results are
deduplicated by student); a task that keeps killing workers becomes a
"grader error" result for its submissions, never a silent zero; a scheduler
that vanishes mid-run raises :class:`GraderFault` after everything finished so
far was yielded (and recorded in the gradebook by the engine).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path
from typing import Any, Iterable, Iterator

from autograder.course.assignment import load_assignment
from autograder.course.submission import Submission
from autograder.errors import GraderFault, UsageError
from autograder.grading.dask_backend import _collect, _grade_batch, _release
from autograder.grading.dask_bundle import course_bundle, dlgrade_version
from autograder.grading.dask_logs import QuietLogs
from autograder.grading.gradeproc_client import fault_result, ready_specs
from autograder.results import CheckSpec, SubmissionResult

BATCH = 8  # submissions per task (see bench/bench_dask.py)
TASKS_PER_THREAD = 2  # tasks in flight per worker thread: enough to hide latency
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
START_TIMEOUT = 120.0  # seconds for the workers to collect the checks
NO_WORKERS_TIMEOUT = 30.0  # seconds to wait for a first worker to join


class DaskBackend:
    """Grade on the Dask cluster at ``scheduler_address`` (a ``Backend``)."""

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
        self._logs = QuietLogs()

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
        self._logs.quiet()
        try:
            self.client = distributed.Client(  # type: ignore[no-untyped-call]
                self.address, timeout=CONNECT_TIMEOUT, set_as_default=False)
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
        mine = dlgrade_version()
        others = sorted({r["version"] for r in replies} - {mine})
        if others:
            self.close()
            raise GraderFault(f"the Dask workers run dlgrade {', '.join(others)} but this "
                              f"machine runs {mine}: install the same version everywhere")
        first = replies[0]
        self.specs = ready_specs(first)
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
        stream = distributed.as_completed(  # type: ignore[no-untyped-call]
            loop=self.client.loop, with_results=True, raise_errors=False)

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
            stream.add(future)  # type: ignore[no-untyped-call]
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
        return fault_result(sub, assignment=self.assignment, specs=self.specs, message=message)

    def stop(self) -> None:
        """Stop now (an interruption): the same as :meth:`close`."""
        self.close()

    def close(self) -> None:
        """Stop the workers' grading processes for this run and disconnect."""
        if self.client is None:
            self._logs.restore()
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
        self._logs.restore()
