"""Write what ``dlgrade grade`` hands out, one result at a time.

:class:`ReportWriter` writes a student's ``results.json`` (Gradescope format),
``feedback.md`` and ``feedback.html`` as soon as the result arrives, and keeps
only a light :class:`Row` per student, so a class of 1000 costs little memory.
:meth:`ReportWriter.finish` then writes ``grades.csv`` and ``report.html``.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder.grading.late import Timing
from autograder.results import CheckSpec
from autograder.cells import cell, fmt_points
from autograder.reports.feedback import (
    feedback_html,
    feedback_markdown,
    late_text,
    message_of,
    ordered_checks,
)
from autograder.reports.stats import (NOT_LOADED, OUTCOME_CODES, CheckStats, ClassStats, Row,
                                      Summary)
from autograder.reports.summary import render_report
from autograder.results import GRADER_ERROR, PASSED, CheckResult, Status, SubmissionResult

PROBLEM_LABELS: dict[str, str] = {Status.INVALID: "invalid", Status.LOAD_FAILED: "failed to load",
                                  Status.GRADER_ERROR: "grader error"}
GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_published"}
# what results.json's output says before the reason a file was not graded
ERROR_PREFIX: dict[str, str] = {Status.INVALID: "Invalid submission: ",
                Status.GRADER_ERROR: "Not graded, because the grader failed (not your fault): "}
# appended to the contract columns (student, checks..., total, max_total) of grades.csv
EXTRA_COLUMNS = ["entry", "raw_total", "late_penalty_percent", "days_late", "submitted_at",
                 "late_status"]


def student_dir(student: str) -> str:
    """The folder name for a student: the id itself whenever it is a safe name."""
    if student in ("", ".", "..") or re.search(r"[/\\\x00-\x1f]", student):
        return re.sub(r"[/\\\x00-\x1f]", "_", student).strip(".") or "_"
    return student


def number(value: float) -> float | int:
    """A JSON number without float noise (2 rather than 2.0)."""
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def gradescope_results(result: SubmissionResult, checks: list[CheckResult]) -> dict[str, Any]:
    """The Gradescope ``results.json`` document for one student.

    Args:
        result: the student's result.
        checks: every check in spec order (see :func:`ordered_checks`).

    Returns:
        A JSON-ready dict with ``score``, ``execution_time``, ``output``,
        ``tests`` and ``extra_data``.
    """
    tests = [{
        "name": c.check,
        "score": number(c.points),
        "max_score": number(c.max_points),
        "status": "passed" if c.outcome == PASSED else "failed",
        "visibility": GRADESCOPE_VISIBILITY.get(c.visibility, "after_published"),
        "output": message_of(c),
        "tags": [c.function, *(["hidden"] if c.visibility == "hidden" else [])],
    } for c in checks]
    passed = sum(c.outcome == PASSED for c in checks)
    score = f"{fmt_points(result.score)}/{fmt_points(result.max_score)}"
    output = [f"Score {score}: {passed} of {len(checks)} checks passed."]
    late = late_text(result)
    if late:
        output.append(late[0].upper() + late[1:] + ".")
    if result.error:
        output.append(ERROR_PREFIX.get(result.status, "Your file could not be loaded: ")
                      + result.error)
    grader_errors = [c.check for c in checks if c.outcome == GRADER_ERROR]
    if grader_errors:
        output.append(f"{len(grader_errors)} check(s) hit a grader error (not your fault).")
    return {
        "score": number(result.score),
        "execution_time": number(result.duration),
        "output": " ".join(output),
        "tests": tests,
        "extra_data": {"student": result.student, "entry": result.entry,
                       "assignment": result.assignment, "raw_score": number(result.raw_score),
                       "status": result.status, "error": result.error,
                       "grader_errors": grader_errors, "late": dict(result.late or {}),
                       "content_hash": result.content_hash, "graded_at": result.graded_at,
                       "cached": result.cached},
    }


def problem_of(result: SubmissionResult, checks: list[CheckResult]) -> tuple[str, str]:
    """(short label, one-line account) of what went wrong, or ("", "")."""
    parts = []
    if result.error:
        parts.append(result.error.strip().splitlines()[0] if result.error.strip() else "")
    events: dict[str, int] = {}
    for event in result.events:
        events[event] = events.get(event, 0) + 1
    parts += [e if n == 1 else f"{e} (x{n})" for e, n in events.items()]
    if result.cell_errors:
        parts.append(f"{len(result.cell_errors)} notebook cell(s) raised")
    late = result.late or {}
    unknown = late.get("status") in (Timing.NO_TIME.value, Timing.UNREADABLE.value)
    if late.get("days"):
        parts.append(late_text(result))
    elif unknown:  # never quietly on time: the instructor checks these by hand
        parts.append(late["status"] + (f" ({late['note']})" if late.get("note") else ""))
    grader = [c.check for c in checks if c.outcome == GRADER_ERROR]
    if grader:
        parts.append("grader error on " + ", ".join(grader))
    label = PROBLEM_LABELS.get(result.status, "")
    if not label and grader:
        label = "grader error"
    elif not label and any("timed out" in e for e in events):
        label = "timed out"
    elif not label and events:
        label = "crashed"
    elif not label and result.cell_errors:
        label = "cell errors"
    elif not label and late.get("days"):
        label = "late"
    elif not label and unknown:
        label = late["status"]
    issue = "; ".join(p for p in parts if p)
    return label, issue if len(issue) <= 300 else issue[:297] + "..."


def late_cells(row: Row) -> list[str]:
    """The EXTRA_COLUMNS of a grades.csv row (text cells spreadsheet-safe)."""
    late = row.late or {}
    return [cell(row.entry), fmt_points(row.raw_score),
            fmt_points(float(late.get("penalty", 0.0)) * 100) if late else "",
            str(late.get("days", 0)) if late else "", str(late.get("submitted", "")),
            cell(str(late.get("status", "")))]


class ReportWriter:
    """Writes per-student files as results arrive, and the class files at the end.

    Args:
        out: the output folder (created).
        assignment_id: e.g. "activations".
        title: the assignment's title, shown on every page.
        specs: the collected checks, in the order the reports list them.
        protections: the sandbox protections that were active, for the report.
        sandbox_mode: how the sandbox ran (e.g. "namespaces", "rlimits only").
    """

    def __init__(self, out: Path, *, assignment_id: str, title: str, specs: list[CheckSpec],
                 protections: list[str], sandbox_mode: str) -> None:
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.assignment_id = assignment_id
        self.title = title
        self.specs = list(specs)
        self.protections = list(protections)
        self.sandbox_mode = sandbox_mode
        self.rows: dict[str, Row] = {}
        self.stats = {s.id: CheckStats(spec=s) for s in self.specs}
        self.classes = ClassStats(self.specs)  # per function and mistake, lateness

    def add(self, result: SubmissionResult) -> None:
        """Write OUT/<student>/results.json, feedback.md, feedback.html; keep a light row."""
        checks = ordered_checks(result, self.specs)
        folder = self.out / student_dir(result.student)
        folder.mkdir(parents=True, exist_ok=True)
        document = gradescope_results(result, checks)
        (folder / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
        (folder / "feedback.md").write_text(
            feedback_markdown(result, checks, title=self.title), encoding="utf-8")
        (folder / "feedback.html").write_text(
            feedback_html(result, checks, title=self.title), encoding="utf-8")
        known = checks[:len(self.specs)]
        if result.student in self.rows:  # graded twice: forget the older counts
            self._count(self.rows[result.student], -1, [])
        label, issue = problem_of(result, checks)
        row = Row(student=result.student, score=result.score, max_score=result.max_score,
                  points=tuple(c.points for c in known),
                  outcomes="".join(OUTCOME_CODES.get(c.outcome, "E") for c in known),
                  status=result.status, problem=label, issue=issue, entry=result.entry,
                  raw_score=result.raw_score, late=dict(result.late or {}))
        self.rows[result.student] = row
        self._count(row, +1, [message_of(c) for c in known])
        self.classes.add(result, known)

    def _count(self, row: Row, sign: int, messages: list[str]) -> None:
        messages = messages or [""] * len(row.outcomes)
        loaded = row.status not in NOT_LOADED  # counted apart, not as failed checks
        for spec, code, message in zip(self.specs, row.outcomes, messages, strict=False):
            self.stats[spec.id].add(code, message if code != "P" else "", sign, loaded=loaded)

    def finish(self, *, notices: Sequence[tuple[str, Sequence[str]]] = ()) -> Summary:
        """Write OUT/grades.csv and OUT/report.html; return the class counts.

        Args:
            notices: titled lists shown near the top of the report (renamed
                entries, the late policy...).
        """
        rows = sorted(self.rows.values(), key=lambda r: r.student)
        grades = self.out / "grades.csv"
        with grades.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", *(s.id for s in self.specs), "total", "max_total",
                             *EXTRA_COLUMNS])
            for row in rows:
                writer.writerow([cell(row.student), *(fmt_points(p) for p in row.points),
                                 fmt_points(row.score), fmt_points(row.max_score),
                                 *late_cells(row)])
        scores = [r.score for r in rows]
        by_status: dict[str, int] = {}
        for row in rows:
            by_status[row.status] = by_status.get(row.status, 0) + 1
        max_score = max((r.max_score for r in rows), default=sum(s.points for s in self.specs))
        summary = Summary(
            students=len(rows), mean=round(statistics.fmean(scores), 4) if scores else 0.0,
            median=round(statistics.median(scores), 4) if scores else 0.0,
            max_score=max_score, full_marks=sum(r.score >= r.max_score > 0 for r in rows),
            problems=sum(bool(r.problem) for r in rows),
            grader_errors=sum("G" in r.outcomes or r.status == Status.GRADER_ERROR for r in rows),
            by_status=by_status, grades_csv=grades, report_html=self.out / "report.html")
        page = render_report(
            rows=rows, stats=[self.stats[s.id] for s in self.specs], summary=summary,
            title=self.title, assignment_id=self.assignment_id,
            protections=self.protections, sandbox_mode=self.sandbox_mode,
            link=lambda student: f"{student_dir(student)}/feedback.html", notices=notices,
            classes=self.classes)
        summary.report_html.write_text(page, encoding="utf-8")
        return summary
