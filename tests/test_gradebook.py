"""The SQLite gradebook: recording runs, reusing them, exporting one sheet."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.gradebook import Gradebook
from autograder.cells import uncell
from autograder.results import CheckResult, SubmissionResult

ODD_ID = 'o"neil, jr'  # a quote and a comma: the CSV must quote it


def result(student: str, assignment: str, points: list[float], *,
           content_hash: str = "h1") -> SubmissionResult:
    """A result whose checks are worth 2 points each; ``points`` says what was earned."""
    checks = [CheckResult(check=f"{assignment}_check{i}", function="relu", points=p,
                          max_points=2.0, visibility="public",
                          outcome="passed" if p == 2.0 else "failed", message="")
              for i, p in enumerate(points)]
    return SubmissionResult(student=student, assignment=assignment, content_hash=content_hash,
                            checks=checks, graded_at="2026-01-01T00:00:00+00:00",
                            output="printed\n")


@pytest.fixture
def book(tmp_path: Path):
    gradebook = Gradebook(tmp_path / "gradebook.sqlite")
    yield gradebook
    gradebook.close()


def test_a_recorded_run_is_reused_for_the_same_file_and_checks(book: Gradebook) -> None:
    graded = result(ODD_ID, "activations", [2.0, 0.0])
    book.record(graded, checks_digest="d1")
    again = book.cached(student=ODD_ID, assignment="activations", content_hash="h1",
                        checks_digest="d1")
    assert again is not None and again.cached
    # everything but the cached flag comes back as it was recorded
    assert {**again.to_dict(), "cached": False} == graded.to_dict()


@pytest.mark.parametrize("changed", [{"content_hash": "h2"}, {"checks_digest": "d2"},
                                     {"student": "someone"}, {"assignment": "losses"}])
def test_nothing_is_reused_when_file_or_checks_changed(book: Gradebook, changed: dict) -> None:
    book.record(result("ada", "activations", [2.0]), checks_digest="d1")
    key = {"student": "ada", "assignment": "activations", "content_hash": "h1",
           "checks_digest": "d1", **changed}
    assert book.cached(**key) is None


def test_runs_with_grader_errors_are_graded_again(book: Gradebook) -> None:
    faulty = result("ada", "activations", [0.0])
    faulty.checks[0].outcome = "grader_error"
    book.record(faulty, checks_digest="d1")
    assert book.cached(student="ada", assignment="activations", content_hash="h1",
                       checks_digest="d1") is None


def test_every_run_keeps_one_row_per_check_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "gb.sqlite"
    book = Gradebook(path)
    book.record(result("ada", "activations", [2.0, 0.0, 2.0]), checks_digest="d1")
    book.close()  # as if the batch were interrupted here
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT check_id, points, max_points, outcome, checks_digest "
                          "FROM check_results ORDER BY check_id").fetchall()
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert rows == [("activations_check0", 2.0, 2.0, "passed", "d1"),
                    ("activations_check1", 0.0, 2.0, "failed", "d1"),
                    ("activations_check2", 2.0, 2.0, "passed", "d1")]
    reopened = Gradebook(path)
    assert reopened.cached(student="ada", assignment="activations", content_hash="h1",
                           checks_digest="d1") is not None
    reopened.close()


def test_export_has_one_row_per_student_and_the_latest_scores(book: Gradebook,
                                                              tmp_path: Path) -> None:
    book.record(result(ODD_ID, "activations", [2.0, 0.0]), checks_digest="d1")
    book.record(result(ODD_ID, "activations", [2.0, 2.0], content_hash="h2"),
                checks_digest="d1")  # a resubmission: the latest run counts
    book.record(result(ODD_ID, "losses", [1.5, 0.0, 0.0]), checks_digest="d9")
    book.record(result("ada", "activations", [0.0, 0.0]), checks_digest="d1")
    written = book.export_csv(tmp_path / "export" / "grades.csv")
    with (tmp_path / "export" / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert written == 2
    assert rows[0] == ["student", "activations (4)", "losses (6)", "entry",
                       "activations raw", "activations late penalty %", "activations days late",
                       "losses raw", "losses late penalty %", "losses days late"]
    assert rows[1:] == [["ada", "0", "", "", "0", "0", "0", "", "", ""],
                        [ODD_ID, "4", "1.5", "", "4", "0", "0", "1.5", "0", "0"]]
    # the id with a quote and a comma is quoted, not split
    raw = (tmp_path / "export" / "grades.csv").read_text("utf-8")
    assert '"o""neil, jr"' in raw


def test_export_carries_the_grade_after_the_late_penalty(book: Gradebook,
                                                         tmp_path: Path) -> None:
    late = result("ann", "activations", [2.0, 2.0, 2.0, 2.0, 2.0])  # 10 raw
    late.late = {"status": "late", "days": 2, "penalty": 0.2}
    late.entry = "ann.py"
    half = result("ann", "losses", [2.0, 2.0])  # 4 raw
    half.late = {"status": "late", "days": 9, "penalty": 0.5}
    half.entry = "ann"
    book.record(late, checks_digest="d1")
    book.record(half, checks_digest="d1")
    book.export_csv(tmp_path / "all.csv")
    with (tmp_path / "all.csv").open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    # the graded column is what the LMS imports: after the penalty
    assert row["activations (10)"] == "8" and row["losses (4)"] == "2"
    assert (row["activations raw"], row["activations late penalty %"],
            row["activations days late"]) == ("10", "20", "2")
    assert (row["losses raw"], row["losses late penalty %"], row["losses days late"]) == (
        "4", "50", "9")
    assert row["entry"] == "ann.py; ann"


def test_ids_a_spreadsheet_would_run_are_neutralised_and_recoverable(book: Gradebook,
                                                                       tmp_path: Path) -> None:
    hostile = ["+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0", "\tx", "'quoted", "plain"]
    for student in hostile:
        graded = result(student, "activations", [2.0])
        graded.entry = student + ".py"
        book.record(graded, checks_digest="d1")
    book.export_csv(tmp_path / "all.csv")
    with (tmp_path / "all.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cells = [r["student"] for r in rows]
    # no cell starts with a character a spreadsheet reads as a formula
    assert not [c for c in cells + [r["entry"] for r in rows]
                if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'+1+1" in cells and "plain" in cells
    # dropping one leading quote gives back every id exactly
    assert sorted(uncell(c) for c in cells) == sorted(hostile)
    assert sorted(uncell(r["entry"]) for r in rows) == sorted(s + ".py" for s in hostile)


def test_an_older_gradebook_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the schema before entries and penalties were kept
        db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT "
                   "NOT NULL, assignment TEXT NOT NULL, content_hash TEXT NOT NULL, "
                   "checks_digest TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, "
                   "status TEXT NOT NULL, graded_at TEXT NOT NULL, result_json TEXT NOT NULL)")
        db.execute("INSERT INTO runs (student, assignment, content_hash, checks_digest, score, "
                   "max_score, status, graded_at, result_json) VALUES "
                   "('old', 'activations', 'h', 'd', 3, 4, 'graded', '', '{}')")
    book = Gradebook(path)
    book.record(result("new", "activations", [2.0, 2.0]), checks_digest="d1")
    book.export_csv(tmp_path / "all.csv")
    book.close()
    with (tmp_path / "all.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert rows["old"]["activations (4)"] == "3" and rows["old"]["activations raw"] == "3"
    assert rows["new"]["activations (4)"] == "4"


def test_processes_opening_one_new_gradebook_at_once_all_succeed(tmp_path: Path) -> None:
    """Two grading runs sharing ``--gradebook`` may create it at the same moment.

    Switching a new database to WAL takes it exclusively and SQLite answers "locked"
    without waiting; every opener must retry rather than crash.
    """
    repo = Path(__file__).resolve().parents[1]
    for trial in range(8):
        path = tmp_path / f"trial{trial}" / "gradebook.db"
        code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                "from autograder.gradebook import Gradebook; Gradebook(Path(sys.argv[2]))")
        procs = [subprocess.Popen([sys.executable, "-c", code, str(repo), str(path)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(6)]
        failures = [proc.communicate(timeout=120)[1] for proc in procs if proc.wait(timeout=120)]
        assert failures == [], failures[0]
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        db.close()
