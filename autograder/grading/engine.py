"""Batch grading: discover submissions, grade them in parallel, write reports.

This is the library function behind ``dlgrade grade``; the CLI only parses
arguments, calls :func:`grade` and renders its summary.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.course.assignment import Assignment, find_course, load_assignment
from autograder.errors import UsageError
from autograder.gradebook import Gradebook
from autograder.options import GradeOptions
from autograder.grading.backend import Backend
from autograder.errors import GradingInterrupted
from autograder.grading.interrupt import defer_signals, interruptible
from autograder.grading.late import LateSummary, assess_class
from autograder.grading.limits_probe import LimitsProbe
from autograder.reports.writer import ReportWriter
from autograder.grading.runlock import RunLock
from autograder.sandbox.modes import REFUSAL, WEAK, SandboxMode, exposed, require
from autograder.results import SubmissionResult
from autograder.course.discovery import discover
from autograder.course.submission import Rename, Submission

Progress = Callable[[str, int, int], None]  # (student, done, total)


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
    renames: list[Rename] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # hidden entries of SUBMISSIONS
    late: LateSummary | None = None


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
    from autograder.authoring.lint import require_valid  # pytest: only once grading is asked for

    require_valid(course_root, [assignment.id])  # authoring errors: exit 2, before any work
    if not submissions_dir.is_dir():
        raise UsageError(f"'{submissions_dir}' is not a folder of submissions")
    check_out(submissions_dir, out, gradebook=options.gradebook)
    try:
        requested = SandboxMode(options.sandbox)
    except ValueError:
        raise UsageError(f"unknown sandbox mode '{options.sandbox}' (choose from "
                         f"{', '.join(m.value for m in SandboxMode)})") from None
    sandbox = choose_sandbox(requested, local=not options.scheduler)
    if sandbox.value not in WEAK:
        for path, folder in exposed([course_root, submissions_dir]):
            raise UsageError(f"'{path}' lies inside {folder}, which the sandbox lets student "
                             "code read: move it out of the Python installation")
    found = discover(submissions_dir, entry=assignment.submit, assignment=assignment.id)
    subs = found.submissions
    if not subs:
        raise UsageError(f"no submissions found in '{submissions_dir}'")
    late, late_summary = assess_class(options.late, subs) if options.late else ({}, None)
    entries = {s.student: s.entry_name for s in subs}
    out.mkdir(parents=True, exist_ok=True)
    digest = assignment.checks_digest()
    book = Gradebook(options.gradebook or out / "gradebook.db")
    summary = GradeSummary(students=len(subs), out=out, max_total=assignment.total_points,
                           renames=found.renames, skipped=found.skipped, late=late_summary)
    backend = _backend(course_root, assignment, options, sandbox)
    limits_probe = None if options.sandbox == "none" else LimitsProbe(
        course_root, assignment.submit, assignment.limits, mode=sandbox,
        overrides=options.overrides, also=assignment.also_submit)
    lock, writer, done = RunLock(out), None, 0
    try:
        lock.acquire()  # a second run into the same OUT fails at once
        if limits_probe is not None:
            limits_probe.start()  # limits too small for numpy: a usage error, not a class of zeros
        backend.start()
        if sandbox is SandboxMode.AUTO and set(WEAK) & set(backend.mode.split("/")):
            raise UsageError(REFUSAL.format(why="the Dask workers have no namespaces "
                                            "and no Landlock"))
        if limits_probe is not None:
            limits_probe.result()
        summary.protections, summary.mode = backend.protections, backend.mode
        writer = ReportWriter(out, assignment_id=assignment.id, title=assignment.title,
                              specs=backend.specs, protections=backend.protections,
                              sandbox_mode=backend.mode)
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
        for result in interruptible(itertools.chain(cached, backend.grade(to_grade))):
            timing, entry = late.get(result.student) or {}, entries.get(result.student, "")
            if not result.cached or result.late != timing or result.entry != entry:
                # the gradebook (and so the export) holds the grade after the penalty
                result.late, result.entry = timing, entry
                book.record(result, checks_digest=digest)
            summary.graded += not result.cached
            summary.reused += result.cached
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
        writer.finish(notices=notices(summary))
        summary.mean = total_score / max(done, 1)
    except GradingInterrupted as exc:  # Ctrl-C or SIGTERM: keep and report what finished
        defer_signals()
        backend.stop()
        if writer is not None:
            writer.finish(notices=notices(summary))
        exc.done, exc.total = done, len(subs)
        raise
    finally:
        backend.close()
        book.close()
        lock.release()
    summary.seconds = time.perf_counter() - start
    return summary


def check_out(submissions_dir: Path, out: Path, *, gradebook: Path | None = None) -> None:
    """OUT may not be SUBMISSIONS, inside it, or around it, and a gradebook may not
    be inside it: a second run would grade them as students (resolved paths, so
    links count too).

    Raises:
        UsageError: one line saying which and what to do.
    """
    subs, target = submissions_dir.resolve(), out.resolve()
    if target == subs:
        raise UsageError(f"OUT '{out}' is the SUBMISSIONS folder; write the results "
                         "elsewhere (e.g. -o graded)")
    if subs in target.parents:
        raise UsageError(f"OUT '{out}' is inside SUBMISSIONS '{submissions_dir}' and would be "
                         "graded as a student next time; write the results elsewhere")
    if target in subs.parents:
        raise UsageError(f"SUBMISSIONS '{submissions_dir}' is inside OUT '{out}'; "
                         "keep submissions and results in separate folders")
    if gradebook is not None and subs in gradebook.resolve().parents:
        raise UsageError(f"--gradebook '{gradebook}' is inside SUBMISSIONS "
                         f"'{submissions_dir}'; keep it elsewhere")


def notices(summary: GradeSummary) -> list[tuple[str, list[str]]]:
    """Short titled lists for report.html: renamed and skipped entries, late policy."""
    found = []
    if summary.renames:
        found.append(("Renamed entries", [str(r) for r in summary.renames]))
    if summary.skipped:
        found.append(("Skipped entries (hidden names, not students)", summary.skipped))
    if summary.late is not None:
        found.append(("Late policy", summary.late.notes()))
    return found


def choose_sandbox(requested: SandboxMode, *, local: bool = True) -> SandboxMode:
    """The mode to grade with: ``requested`` if this machine has it, the
    strongest one for ``auto``; never silently weaker.

    Remote workers (``local=False``) choose for themselves: ``auto`` is
    passed on and checked once they report their mode.

    Raises:
        UsageError: a forced mode is unavailable, or ``auto`` finds only ``basic``.
    """
    if not local:
        return requested
    chosen, why = require(requested)
    if requested is SandboxMode.AUTO and chosen.value in WEAK:
        raise UsageError(REFUSAL.format(why=why or "no namespaces, no Landlock"))
    return chosen


def _backend(course_root: Path, assignment: Assignment, options: GradeOptions,
             sandbox: SandboxMode) -> Backend:
    """The local pool, or the Dask cluster at ``options.scheduler``."""
    if options.scheduler:
        from autograder.grading.dask_client import DaskBackend  # optional dependency

        return DaskBackend(options.scheduler, course_root=course_root,
                           assignment=assignment.id, overrides=options.overrides,
                           sandbox=sandbox.value)
    from autograder.grading.pool import LocalPool

    return LocalPool(course=str(course_root), assignment=assignment.id, jobs=options.jobs,
                     overrides=options.overrides, sandbox=sandbox.value)
