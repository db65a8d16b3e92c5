"""Grading mutants: batches in subprocesses, a time limit per mutant.

Every mutant is graded on the checks of its function and of the assignment's
functions that call it (found in the reference's code), by
:mod:`autograder.authoring.mutant_worker` processes with a memory limit. A
mutant that hangs or crashes its batch counts as killed (the sandbox would time
it out) and the batch goes on without it.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from autograder.authoring.mutants import Mutant, callers
from autograder.authoring.problems import REFERENCE, SOLUTIONS_DIR
from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.errors import ConfigError
from autograder.results import Status

PER_MUTANT_TIMEOUT = 30.0  # seconds; a mutant's checks take well under one
MEMORY_LIMIT = 2 * 1024 ** 3  # address space of a batch process
WORKER = "autograder.authoring.mutant_worker"  # the module a batch process runs


def check_functions(assignment: Assignment, function: str, source: str) -> list[str]:
    """The functions whose checks a mutant of ``function`` is graded on."""
    if function not in assignment.functions:
        return []
    return [function, *callers(source, function, assignment.functions)]


def _require_full_marks(assignment_id: str, result: dict[str, Any]) -> None:
    """The unmutated reference must keep full marks where its mutants are graded;
    otherwise every mutant would count as killed and the report would prove nothing."""
    if result["status"] != Status.GRADED or result["score"] < result["max"] or result["failed"]:
        failed = ", ".join(result["failed"][:3]) or result["status"]
        raise ConfigError(f"mutation analysis of '{assignment_id}': the unmutated reference "
                          f"does not get full marks when graded for it (failing: {failed}), so "
                          "no mutant could be judged")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run_batch(course: Path, assignment_id: str, functions: list[str], mutants: list[Mutant],
               timeout: float, stop: threading.Event | None = None
               ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Grade ``mutants`` in a subprocess; on a hang or crash, blame the mutant in
    flight (killed) and start again with the rest. Once ``stop`` is set, kill the
    subprocess and return."""
    pending = list(mutants)
    stop = stop or threading.Event()
    while pending and not stop.is_set():
        job = {"course": str(course), "assignment": assignment_id, "functions": functions,
               "mutants": [{"id": m.id, "code": m.code} for m in pending]}
        proc = subprocess.Popen([sys.executable, "-m", WORKER],
                                cwd=course, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, preexec_fn=_limit_memory,
                                env={**os.environ, "PYTHONHASHSEED": "0"})
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        buffer = b""
        deadline = time.monotonic() + timeout + 10.0  # start-up of the first mutant
        reason = ""
        while pending and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                reason = "timeout"
                break
            if not selector.select(timeout=min(left, 0.5)):
                continue  # look at ``stop`` twice a second
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                reason = "crash"
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                result = json.loads(line)
                if result["id"] == REFERENCE:
                    _require_full_marks(assignment_id, result)
                    continue
                done = next(m for m in pending if m.id == result["id"])
                pending.remove(done)
                yield done.id, result
                deadline = time.monotonic() + timeout
        proc.kill()
        proc.wait()
        selector.close()
        if pending and not stop.is_set():
            culprit = pending.pop(0)
            yield culprit.id, {"id": culprit.id, "score": 0.0, "max": 0.0,
                               "status": reason, "failed": [reason]}


def grade_mutants(mutants: list[Mutant], course: Path, *,
                  assignment_ids: list[str] | None = None, jobs: int = 2,
                  timeout: float = PER_MUTANT_TIMEOUT) -> dict[tuple[str, str], dict[str, Any]]:
    """(assignment id, mutant id) -> result, for every chosen assignment that
    submits the mutant's file and has checks for its function."""
    batches: list[tuple[str, list[str], list[Mutant]]] = []
    sources: dict[str, str] = {}
    for assignment_id in assignment_ids or list_assignments(course):
        assignment = load_assignment(course, assignment_id)
        if assignment.submit not in sources:
            path = course / SOLUTIONS_DIR / assignment.submit
            sources[assignment.submit] = path.read_text(encoding="utf-8") \
                if path.is_file() else ""
        by_function: dict[str, list[Mutant]] = {}
        for m in mutants:
            if m.file == assignment.submit and m.function in assignment.functions:
                by_function.setdefault(m.function, []).append(m)
        for function, group in by_function.items():
            functions = check_functions(assignment, function, sources[assignment.submit])
            # split big groups so that both cores stay busy
            size = max(8, (len(group) + jobs - 1) // jobs)
            for k in range(0, len(group), size):
                batches.append((assignment_id, functions, group[k:k + size]))
    results: dict[tuple[str, str], dict[str, Any]] = {}
    stop = threading.Event()

    def run(batch: tuple[str, list[str], list[Mutant]]) -> None:
        assignment_id, functions, group = batch
        for mutant_id, result in _run_batch(course, assignment_id, functions, group, timeout,
                                            stop):
            results[(assignment_id, mutant_id)] = result

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(run, b) for b in sorted(batches, key=lambda b: -len(b[2]))]
        for future in futures:
            future.result()
    except BaseException:  # Ctrl-C: stop every batch (their processes are killed) first
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results
