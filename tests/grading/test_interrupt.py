"""Ctrl-C, SIGTERM and concurrent runs of ``dlgrade grade`` (real processes, real signals).

Each student's file is the reference solution that sleeps 1 s while loading,
so a run is still grading when the signal arrives.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STUDENTS = 16
pytestmark = pytest.mark.slow
LINE = re.compile(r"interrupted: (\d+) of 16 graded and saved; run the same command again "
                  r"to resume")


@pytest.fixture()
def slow_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    source = (REPO / "solutions" / "neural_network.py").read_text()
    for i in range(STUDENTS):
        (subs / f"s{i:02d}.py").write_text(source + "\nimport time\ntime.sleep(1)\n")
    return subs


def command(subs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder.cli", "grade", str(subs), "-a", "toolkit",
            "-o", str(out), "--jobs", "2", "--course", str(REPO), *extra]


def start(subs: Path, out: Path, *extra: str) -> subprocess.Popen:
    # a session of its own: os.killpg then does what Ctrl-C in a terminal does
    return subprocess.Popen(command(subs, out, *extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_results(out: Path, count: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while len(list(out.glob("*/results.json"))) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "grading never produced results"
        time.sleep(0.05)


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (grading processes, zygotes, workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[str]:
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(f"{pid} {Path(f'/proc/{pid}/cmdline').read_bytes()[:100]!r}")
    return left


def saved_students(out: Path) -> tuple[set[str], set[str], set[str]]:
    """Students with results.json, rows of grades.csv, rows of the gradebook."""
    files = {p.parent.name for p in out.glob("*/results.json")}
    with (out / "grades.csv").open(newline="") as handle:
        rows = {row["student"] for row in csv.DictReader(handle)}
    db = sqlite3.connect(out / "gradebook.db")
    try:
        book = {r[0] for r in db.execute("SELECT student FROM runs")}
    finally:
        db.close()
    return files, rows, book


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupt_keeps_what_finished_and_resumes(slow_class: Path, tmp_path: Path,
                                                   how: str) -> None:
    out = tmp_path / "out"
    proc = start(slow_class, out)
    wait_for_results(out, 2, proc)
    below = descendants(proc.pid)
    assert below, "the grading processes were not found"
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # the terminal sends it to the whole group
    else:
        os.kill(proc.pid, signal.SIGTERM)  # only to dlgrade itself
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Aborted" not in stderr and "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and LINE.fullmatch(lines[0]), stderr
    saved = int(LINE.fullmatch(lines[0]).group(1))  # type: ignore[union-attr]
    assert 2 <= saved < STUDENTS
    files, rows, book = saved_students(out)
    assert len(files) == saved and files == rows == book
    report = (out / "report.html").read_text()
    assert all(f">{student}<" in report for student in rows)
    assert not (out / ".dlgrade.lock").exists()
    deadline = time.monotonic() + 20  # a zygote cleans its temp root up before it exits
    while alive(below) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(below) == set(), "grading processes or sandboxes outlived the interruption"
    # the same command again grades only the rest
    again = subprocess.run(command(slow_class, out), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert (f"({STUDENTS - saved} graded, {saved} unchanged and reused;" in again.stdout), \
        again.stdout
    assert "mean 100.00/100" in again.stdout
    files, rows, book = saved_students(out)
    assert len(files) == len(rows) == len(book) == STUDENTS


def test_second_run_into_same_out_fails_fast(slow_class: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = start(slow_class, out)
    try:
        wait_for_results(out, 1, first)
        second = subprocess.run(command(slow_class, out), capture_output=True, text=True,
                                timeout=120)
        assert first.poll() is None, "the second run should have returned first"
        assert second.returncode == 2
        assert second.stderr == (f"dlgrade: error: another dlgrade grade (pid {first.pid}) is "
                                 f"writing to '{out}'; wait for it to finish or choose "
                                 "another -o folder\n")
        assert second.stdout == ""
    finally:
        stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert f"graded {STUDENTS} submissions" in stdout and "mean 100.00/100" in stdout


def test_stale_lock_of_a_dead_process_is_taken_over(slow_class: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (out / ".dlgrade.lock").write_text(f"{dead.pid}\n")
    for path in list(slow_class.iterdir())[2:]:
        path.unlink()
    run = subprocess.run(command(slow_class, out), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "graded 2 submissions" in run.stdout and "mean 100.00/100" in run.stdout
    assert not (out / ".dlgrade.lock").exists()


def test_runs_sharing_a_gradebook_with_different_outs(slow_class: Path, tmp_path: Path) -> None:
    book = tmp_path / "shared" / "gradebook.db"
    for path in list(slow_class.iterdir())[6:]:
        path.unlink()
    runs = [start(slow_class, tmp_path / f"out{i}", "--gradebook", str(book)) for i in (1, 2)]
    results = [proc.communicate(timeout=300) for proc in runs]
    for proc, (stdout, stderr) in zip(runs, results, strict=True):
        assert proc.returncode == 0, stderr
        assert "graded 6 submissions" in stdout and "mean 100.00/100" in stdout, stdout
    for i in (1, 2):
        data = [json.loads(p.read_text()) for p in (tmp_path / f"out{i}").glob("*/results.json")]
        assert len(data) == 6 and all(d["score"] == 100 for d in data)
    db = sqlite3.connect(book)
    try:
        assert db.execute("SELECT COUNT(DISTINCT student) FROM runs").fetchone() == (6,)
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] >= 6
    finally:
        db.close()
