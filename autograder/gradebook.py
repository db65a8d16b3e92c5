"""The gradebook: every graded run in one SQLite file.

Each :meth:`Gradebook.record` stores one run (the full result as JSON, so an
unchanged submission graded by unchanged checks can be reused) and one row per
check, and commits at once: an interrupted batch keeps what it finished. A run's
``score`` is the grade after the late penalty; ``raw_score``, ``late_penalty``,
``late_days`` and ``entry`` (the entry's own name in SUBMISSIONS) sit beside it.
:meth:`Gradebook.export_csv` writes one LMS-importable sheet across assignments.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.cells import cell, fmt_points
from autograder.results import GRADER_ERROR, SubmissionResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    checks_digest TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    result_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_submission
    ON runs (student, assignment, content_hash, checks_digest);
CREATE TABLE IF NOT EXISTS check_results (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    check_id TEXT NOT NULL,
    function TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    outcome TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    checks_digest TEXT NOT NULL,
    graded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS check_results_by_run ON check_results (run_id);
"""
# columns added to ``runs`` after its first release: added to older gradebooks on open
ADDED_COLUMNS = {"entry": "TEXT NOT NULL DEFAULT ''", "raw_score": "REAL",
                 "late_penalty": "REAL NOT NULL DEFAULT 0",
                 "late_days": "INTEGER NOT NULL DEFAULT 0"}


def _while_locked(db: sqlite3.Connection, step: Callable[[], None], *,
                  seconds: float = 30.0) -> None:
    """Run ``step`` on ``db``, again while SQLite says it is locked (up to ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            if db.in_transaction:
                db.rollback()


class Gradebook:
    """A SQLite gradebook (WAL mode, so readers never block the grader).

    Args:
        path: the database file; created with its tables if needed.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        _while_locked(self.db, self._open)

    def _open(self) -> None:
        # switching to WAL needs the database to itself, and SQLite answers "locked" at
        # once instead of waiting when another run opens the same new gradebook
        self.db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: each commit survives a crash of dlgrade (not of the machine)
        # without an fsync per student
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._add_columns()
        self.db.commit()

    def _add_columns(self) -> None:
        have = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        for name, declaration in ADDED_COLUMNS.items():
            if name not in have:
                try:
                    self.db.execute(f"ALTER TABLE runs ADD COLUMN {name} {declaration}")
                except sqlite3.OperationalError as exc:  # another run added it just now
                    if "duplicate column" not in str(exc):
                        raise

    def cached(self, *, student: str, assignment: str, content_hash: str,
               checks_digest: str) -> SubmissionResult | None:
        """The latest result for exactly this file and these checks, or None.

        Runs that hit a grader error are never reused: they are graded again.
        """
        row = self.db.execute(
            "SELECT result_json, status FROM runs WHERE student = ? AND assignment = ? "
            "AND content_hash = ? AND checks_digest = ? ORDER BY id DESC LIMIT 1",
            (student, assignment, content_hash, checks_digest)).fetchone()
        if row is None or row[1] == GRADER_ERROR:
            return None
        result = SubmissionResult.from_dict(json.loads(row[0]))
        if any(c.outcome == GRADER_ERROR for c in result.checks):
            return None
        result.cached = True
        return result

    def record(self, result: SubmissionResult, *, checks_digest: str) -> None:
        """Store one graded run (score after the late penalty) and commit."""
        graded_at = result.graded_at or ""
        late = result.late or {}
        with self.db:  # one transaction: the run and its checks, or nothing
            cursor = self.db.execute(
                "INSERT INTO runs (student, assignment, content_hash, checks_digest, score, "
                "max_score, status, graded_at, result_json, entry, raw_score, late_penalty, "
                "late_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (result.student, result.assignment, result.content_hash, checks_digest,
                 result.score, result.max_score, result.status, graded_at,
                 json.dumps(result.to_dict()), result.entry, result.raw_score,
                 float(late.get("penalty", 0.0)), int(late.get("days", 0))))
            self.db.executemany(
                "INSERT INTO check_results (run_id, student, assignment, check_id, function, "
                "points, max_points, outcome, content_hash, checks_digest, graded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(cursor.lastrowid, result.student, result.assignment, c.check, c.function,
                  c.points, c.max_points, c.outcome, result.content_hash, checks_digest,
                  graded_at) for c in result.checks])

    def export_csv(self, path: Path) -> int:
        """One row per student, one column per assignment (latest run's grade).

        Columns: ``student``, then ``<assignment> (<max>)`` per assignment (the
        grade after any late penalty: the number to import), then ``entry``
        (the student's entry names in SUBMISSIONS), then per assignment
        ``<assignment> raw``, ``<assignment> late penalty %`` and ``<assignment>
        days late``. A student with no run for an assignment gets empty cells.
        Text cells are spreadsheet-safe (:mod:`autograder.cells`).

        Returns:
            The number of student rows written.
        """
        latest = self.db.execute(
            "SELECT student, assignment, score, max_score, entry, COALESCE(raw_score, score), "
            "late_penalty, late_days FROM runs WHERE id IN "
            "(SELECT MAX(id) FROM runs GROUP BY student, assignment)").fetchall()
        assignments: dict[str, float] = {}
        runs: dict[str, dict[str, tuple[Any, ...]]] = {}
        for student, assignment, score, max_score, *rest in latest:
            assignments[assignment] = max(assignments.get(assignment, 0.0), max_score)
            runs.setdefault(student, {})[assignment] = (score, *rest)
        order = sorted(assignments)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", *(f"{a} ({fmt_points(assignments[a])})" for a in order),
                             "entry", *(f"{a} {what}" for a in order
                                        for what in ("raw", "late penalty %", "days late"))])
            for student in sorted(runs):
                mine = runs[student]
                entries = dict.fromkeys(mine[a][1] for a in order if a in mine and mine[a][1])
                details = [(fmt_points(mine[a][2]), fmt_points(mine[a][3] * 100), str(mine[a][4]))
                           if a in mine else ("", "", "") for a in order]
                writer.writerow([cell(student), *(fmt_points(mine[a][0]) if a in mine else ""
                                                  for a in order),
                                 cell("; ".join(entries)), *(c for d in details for c in d)])
        return len(runs)

    def close(self) -> None:
        self.db.close()
