"""Batch grading: discover submissions, grade them in parallel, write reports.

This is the library function behind ``dlgrade grade``; the CLI only parses
arguments, calls :func:`grade` and renders its summary.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from autograder.assignment import Assignment, find_course, load_assignment
from autograder.errors import UsageError
from autograder.gradebook import Gradebook
from autograder.reports.writer import ReportWriter
from autograder.results import SubmissionResult
from autograder.submission import Submission, discover

Progress = Callable[[str, int, int], None]  # (student, done, total)


@dataclass(frozen=True)
class LatePolicy:
    """Late work: ``per_day`` of the score per started day after ``due``, up to ``cap``."""

    due: dt.datetime
    per_day: float = 0.0
    cap: float = 1.0

    def assess(self, timestamp: str) -> dict[str, Any]:
        if not timestamp:
            return {}
        submitted = parse_timestamp(timestamp)
        if submitted is None or submitted <= self.due:
            return {}
        days = math.ceil((submitted - self.due).total_seconds() / 86400)
        return {"days": days, "penalty": round(min(self.cap, days * self.per_day), 4),
                "submitted": submitted.isoformat(), "due": self.due.isoformat()}


def parse_timestamp(text: str) -> dt.datetime | None:
    """Parse nbgrader's ``timestamp.txt`` (``2026-11-28 17:00:00.123456 UTC``) or ISO."""
    cleaned = text.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        value = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def parse_late_policy(due: str | None, penalty: str | None, cap: str | None) -> LatePolicy | None:
    """Build a policy from ``--due``, ``--late-penalty 10%/day`` and ``--late-cap 50%``."""
    if not due:
        if penalty:
            raise UsageError("--late-penalty needs --due")
        return None
    when = parse_timestamp(due)
    if when is None:
        raise UsageError(f"--due '{due}' is not a date and time (e.g. 2026-12-01T23:59)")
    per_day = 0.0
    if penalty:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*/\s*day\s*", penalty)
        if not match:
            raise UsageError(f"--late-penalty '{penalty}' must look like 10%/day")
        per_day = float(match.group(1)) / 100
    cap_value = 1.0
    if cap:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", cap)
        if not match:
            raise UsageError(f"--late-cap '{cap}' must look like 50%")
        cap_value = float(match.group(1)) / 100
    return LatePolicy(due=when, per_day=per_day, cap=min(cap_value, 1.0))


@dataclass
class GradeSummary:
    """What a grading run did, for the one-line summary and for tests."""

    students: int = 0
    graded: int = 0
    reused: int = 0
    mean: float = 0.0
    max_total: float = 0.0
    load_failed: int = 0
    invalid: int = 0
    grader_errors: int = 0
    seconds: float = 0.0
    out: Path = Path(".")
    protections: list[str] = field(default_factory=list)
    mode: str = ""


@dataclass
class GradeOptions:
    """Everything ``dlgrade grade`` can be told. Defaults live here."""

    jobs: int = 2
    force: bool = False
    gradebook: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    late: LatePolicy | None = None
    sandbox: str = "auto"
    scheduler: str | None = None


def grade(submissions_dir: Path, *, assignment_id: str, out: Path,
          course: Path | None = None, options: GradeOptions | None = None,
          progress: Progress | None = None,
          on_result: Callable[[SubmissionResult], None] | None = None) -> GradeSummary:
    """Grade every submission in ``submissions_dir`` and write the reports to ``out``.

    Raises:
        UsageError: bad paths or names. GraderFault: the grader itself failed.
    """
    options = options or GradeOptions()
    start = time.perf_counter()
    course_root = find_course(course)
    assignment = load_assignment(course_root, assignment_id, overrides=options.overrides)
    from autograder.lint import require_valid  # pytest: only once grading is asked for

    require_valid(course_root, [assignment.id])  # authoring errors: exit 2, before any work
    if not submissions_dir.is_dir():
        raise UsageError(f"'{submissions_dir}' is not a folder of submissions")
    out.mkdir(parents=True, exist_ok=True)
    subs = list(discover(submissions_dir, entry=assignment.submit, assignment=assignment.id))
    if not subs:
        raise UsageError(f"no submissions found in '{submissions_dir}'")
    digest = assignment.checks_digest()
    book = Gradebook(options.gradebook or out / "gradebook.db")
    summary = GradeSummary(students=len(subs), out=out, max_total=assignment.total_points)
    backend = _backend(course_root, assignment, options)
    try:
        backend.start()
        summary.protections, summary.mode = backend.protections, backend.mode
        writer = ReportWriter(out, assignment_id=assignment.id, title=assignment.title,
                              specs=backend.specs, protections=backend.protections,
                              sandbox_mode=backend.mode)
        late = {s.student: options.late.assess(s.timestamp) for s in subs} if options.late else {}
        to_grade: list[Submission] = []
        cached: list[SubmissionResult] = []
        for sub in subs:
            hit = None if options.force else book.cached(
                student=sub.student, assignment=assignment.id,
                content_hash=sub.content_hash, checks_digest=digest)
            if hit is not None:
                hit.cached = True
                cached.append(hit)
            else:
                to_grade.append(sub)
        done = 0
        total_score = 0.0
        for result in itertools.chain(cached, backend.grade(to_grade)):
            if not result.cached:
                book.record(result, checks_digest=digest)
                summary.graded += 1
            else:
                summary.reused += 1
            result.late = late.get(result.student) or {}
            writer.add(result)
            total_score += result.score
            summary.load_failed += result.status == "load_failed"
            summary.invalid += result.status == "invalid"
            summary.grader_errors += result.status == "grader_error"
            done += 1
            if on_result is not None:
                on_result(result)
            if progress is not None:
                progress(result.student, done, len(subs))
        writer.finish()
        summary.mean = total_score / max(done, 1)
    finally:
        backend.close()
        book.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _backend(course_root: Path, assignment: Assignment, options: GradeOptions) -> Any:
    if options.scheduler:
        from autograder.dask_backend import DaskBackend  # optional dependency

        return DaskBackend(options.scheduler, course_root=course_root,
                           assignment=assignment.id, overrides=options.overrides,
                           sandbox=options.sandbox)
    from autograder.pool import LocalPool

    return LocalPool(course=str(course_root), assignment=assignment.id, jobs=options.jobs,
                     overrides=options.overrides, sandbox=options.sandbox)
