"""Grading on a real Dask cluster: a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1, driven through the real ``dlgrade grade`` command.

The reference for every comparison is a local run (``--jobs 2``) of the same
submissions: the cluster must give the same grades and the same messages.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]
_SCRIPT = Path(sys.executable).with_name("dlgrade")
DLGRADE = [str(_SCRIPT)] if _SCRIPT.is_file() else [
    sys.executable, "-c", "import sys; from autograder.cli import main; sys.exit(main())"]
START_TIMEOUT = 60  # seconds for a scheduler or worker to come up
RUN_TIMEOUT = 300  # seconds for one grading run

# Variants of the reference toolkit, appended to it (a later def replaces the earlier one).
VARIANTS = {
    "reference": "",
    "softmax_axis0": "\ndef softmax(Z):\n    e = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
                     "    return e / e.sum(axis=0, keepdims=True)\n",
    "relu_mask": "\ndef relu(Z):\n    return Z > 0\n",
    "syntax_error": "\ndef relu(Z:\n    return Z\n",
    "missing_softmax": "\ndel softmax\n",
    "relu_in_place": "\ndef relu(Z):\n    Z[Z < 0] = 0\n    return Z\n",
    "prints": "\nprint('loaded my toolkit')\n",
}
SLOW = "\nimport time\ntime.sleep(0.3)  # a slow student file: every load takes 0.3 s\n"


def write_submissions(folder: Path, count: int, *, slow_every: int = 0) -> Path:
    """``count`` student folders cycling through VARIANTS; every ``slow_every``-th is slow."""
    reference = (REPO / "solutions" / "neural_network.py").read_text()
    names = list(VARIANTS)
    for i in range(count):
        variant = names[i % len(names)]
        source = reference + VARIANTS[variant]
        if slow_every and i % slow_every == 0 and variant != "syntax_error":
            source += SLOW
        student = folder / f"s{i:03d}_{variant}"
        student.mkdir(parents=True)
        (student / "neural_network.py").write_text(source)
    return folder


def dlgrade_grade(subs: Path, out: Path, *extra: str,
                  timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DLGRADE, "grade", str(subs), "-a", "activations", "-o", str(out),
                           *extra], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def grades(out: Path) -> list[list[str]]:
    with open(out / "grades.csv", newline="") as handle:
        return list(csv.reader(handle))


def results_json(out: Path, student: str) -> dict:
    """A student's results.json without what naturally differs between runs (timing)."""
    data = json.loads((out / student / "results.json").read_text())
    data.pop("execution_time")
    data["extra_data"].pop("graded_at")
    return data


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Cluster:
    """A scheduler and two single-thread workers on 127.0.0.1 (see :func:`cluster`)."""

    def __init__(self, folder: Path, *, nanny: bool) -> None:
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.procs: list[subprocess.Popen] = []
        self.scheduler = self._spawn("scheduler", ["scheduler", "--host", "127.0.0.1",
                                                   "--port", "0"])
        deadline = time.monotonic() + START_TIMEOUT
        while not self.file.is_file() or not self.file.read_text().strip():
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            assert self.scheduler.poll() is None, "the Dask scheduler exited"
            time.sleep(0.1)
        time.sleep(0.2)  # the file may still be being written
        self.address = json.loads(self.file.read_text())["address"]
        self.workers = [self._spawn(f"worker{i}", [
            "worker", "--nthreads", "1", "--nworkers", "1",
            "--nanny" if nanny else "--no-nanny"]) for i in range(2)]
        with distributed.Client(self.address, timeout=START_TIMEOUT) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:],
             "--no-dashboard", "--scheduler-file", str(self.file)],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        log.close()
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            stop(proc)


@contextlib.contextmanager
def cluster(folder: Path, *, nanny: bool = True) -> Iterator[Cluster]:
    folder.mkdir(parents=True, exist_ok=True)
    running = Cluster(folder, nanny=nanny)
    try:
        yield running
    finally:
        running.close()


def children(pid: int) -> list[str]:
    """Command lines of every descendant of ``pid`` (from /proc, no extra packages)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            for child in (task / "children").read_text().split():
                try:
                    found.append(Path(f"/proc/{child}/cmdline").read_text().replace("\0", " "))
                except OSError:
                    continue
                todo.append(int(child))
    return found


@pytest.mark.slow
def test_a_cluster_grades_exactly_like_a_local_run(tmp_path: Path) -> None:
    subs = write_submissions(tmp_path / "subs", 56)
    local = dlgrade_grade(subs, tmp_path / "local", "--jobs", "2")
    assert local.returncode == 0, local.stderr
    with cluster(tmp_path / "cluster") as dask:
        remote = dlgrade_grade(subs, tmp_path / "dask", "--scheduler", dask.address)
    assert remote.returncode == 0, remote.stderr
    # same grades.csv, byte for byte: every student, every check, every total
    assert grades(tmp_path / "dask") == grades(tmp_path / "local")
    assert len(grades(tmp_path / "dask")) == 1 + 56
    for student in sorted(p.name for p in subs.iterdir()):
        # same scores, statuses and teaching messages in every results.json and feedback
        assert results_json(tmp_path / "dask", student) == \
            results_json(tmp_path / "local", student), student
        assert (tmp_path / "dask" / student / "feedback.md").read_text() == \
            (tmp_path / "local" / student / "feedback.md").read_text(), student
    # the mix really exercised the grader: full marks, partial marks and load failures
    header, *rows = grades(tmp_path / "dask")
    totals = {row[0]: float(row[header.index("total")]) for row in rows}
    assert totals["s000_reference"] == 20
    assert 0 < totals["s001_softmax_axis0"] < 20
    assert totals["s003_syntax_error"] == 0
    # the workers released their grading processes at the end of the run
    assert not any("autograder.grading.gradeproc" in c
                   for p in dask.workers for c in children(p.pid))


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_submission(tmp_path: Path) -> None:
    subs = write_submissions(tmp_path / "subs", 60, slow_every=2)
    local = dlgrade_grade(subs, tmp_path / "local", "--jobs", "2")
    assert local.returncode == 0, local.stderr
    with cluster(tmp_path / "cluster", nanny=False) as dask:
        victim = dask.workers[0]
        run = subprocess.Popen(
            [*DLGRADE, "grade", str(subs), "-a", "activations", "-o", str(tmp_path / "dask"),
             "--scheduler", dask.address], cwd=REPO, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            with distributed.Client(dask.address, timeout=START_TIMEOUT) as client:
                wait_until_grading(client, victim.pid, seconds=2.0)
            assert run.poll() is None, "the run ended before the worker was killed"
            os.kill(victim.pid, signal.SIGKILL)
            stdout, stderr = run.communicate(timeout=RUN_TIMEOUT)
        finally:
            stop(run)
    assert run.returncode == 0, stderr
    rows = grades(tmp_path / "dask")[1:]
    students = [row[0] for row in rows]
    # every student exactly once, with the same scores as locally, and none a grader error
    assert sorted(students) == sorted(p.name for p in subs.iterdir())
    assert len(set(students)) == len(students) == 60
    assert grades(tmp_path / "dask") == grades(tmp_path / "local")
    assert "0 grader errors" in stdout
    with sqlite3.connect(tmp_path / "dask" / "gradebook.db") as book:
        # the gradebook recorded each submission once: a rerun task did not count twice
        assert book.execute("SELECT COUNT(*), COUNT(DISTINCT student) FROM runs").fetchone() \
            == (60, 60)


def wait_until_grading(client: "distributed.Client", pid: int, *, seconds: float) -> None:
    """Wait ``seconds`` into a run, then until the worker ``pid`` holds a grading task."""
    time.sleep(seconds)
    deadline = time.monotonic() + START_TIMEOUT
    address = next(a for a, p in client.run(os.getpid).items() if p == pid)
    while True:
        if any(str(k).startswith("dlgrade-grade-") for k in client.processing()[address]):
            return
        assert time.monotonic() < deadline, "the worker never got a grading task"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_vanished_scheduler_keeps_what_finished(tmp_path: Path) -> None:
    subs = write_submissions(tmp_path / "subs", 40, slow_every=1)
    out = tmp_path / "dask"
    with cluster(tmp_path / "cluster", nanny=False) as dask:
        run = subprocess.Popen(
            [*DLGRADE, "grade", str(subs), "-a", "activations", "-o", str(out),
             "--scheduler", dask.address], cwd=REPO, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while recorded(out) < 4:
                assert time.monotonic() < deadline, "no results arrived"
                assert run.poll() is None, run.stderr and run.stderr.read()
                time.sleep(0.1)
            os.kill(dask.scheduler.pid, signal.SIGKILL)
            _, stderr = run.communicate(timeout=RUN_TIMEOUT)
        finally:
            stop(run)
    finished = recorded(out)
    # a grader fault, in one line that says what to do
    assert run.returncode == 3
    problems = [line for line in stderr.strip().splitlines()
                if not line.startswith("graded ")]  # progress lines in a log are fine
    assert len(problems) == 1, stderr
    assert "lost the Dask scheduler" in stderr and "rerun" in stderr
    assert 4 <= finished < 40
    # the rerun (here: locally) grades only the rest
    again = dlgrade_grade(subs, out, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert f"{40 - finished} graded, {finished} unchanged and reused" in again.stdout
    assert len(grades(out)) == 1 + 40


def recorded(out: Path) -> int:
    """Submissions the gradebook holds so far (0 before it exists)."""
    if not (out / "gradebook.db").is_file():
        return 0
    try:
        with sqlite3.connect(out / "gradebook.db", timeout=5) as book:
            return int(book.execute("SELECT COUNT(DISTINCT student) FROM runs").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path) -> None:
    subs = write_submissions(tmp_path / "subs", 1)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = dlgrade_grade(subs, tmp_path / "out", "--scheduler", f"tcp://127.0.0.1:{port}",
                         timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(
        f"dlgrade: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")


def test_a_malformed_scheduler_address_is_one_line_and_exit_2(tmp_path: Path) -> None:
    subs = write_submissions(tmp_path / "subs", 1)
    done = dlgrade_grade(subs, tmp_path / "out", "--scheduler", "localhost", timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "dlgrade: error: --scheduler 'localhost' is not a scheduler address like "
        "tcp://10.0.0.5:8786 (missing port number in address 'localhost')"]
