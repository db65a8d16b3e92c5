"""Run one submission's public checks for ``dlgrade check``, fast.

Grading runs checks in a pytest session (:mod:`autograder.grading.session`). For one
student's own file that session costs more than the checks themselves
(importing pytest, configuring it, collecting), so ``dlgrade check`` reads and
runs the checks with the light runner the notebook uses too
(:mod:`autograder.runtime.lightrun`: same ids, fixtures, seeds and outcome
classification as the grading plugin, from :mod:`autograder.runtime.checkrun`),
against the student's file in the sandbox.

Whatever the light runner cannot read or run exactly as pytest would (a
fixture other than ours, any other pytest feature, at import or while a check
runs, two cases with the same id) makes it run the checks in the full pytest
session instead, as grading does.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from autograder import checklib
from autograder.course.assignment import Assignment
from autograder.results import CheckResult, SubmissionResult, now_iso
from autograder.runtime.checkrun import ERROR, GRADER_ERROR
from autograder.runtime.lightrun import Check, NeedsPytest, Ran, collect, run_checks
from autograder.sandbox import helpers as helper_module
from autograder.sandbox.factory import open_sandbox
from autograder.grading.student import SandboxRunner, Student
from autograder.course.submission import Submission


def check_result(ran: Ran) -> CheckResult:
    """One check's result, as results.json holds it."""
    check = ran.check
    return CheckResult(check=check.id, function=check.function, points=ran.points,
                       max_points=check.points, visibility=check.visibility,
                       outcome=ran.outcome, message=ran.message, duration=ran.seconds,
                       detail=ran.detail, hint=ran.hint)


def run_quick(assignment: Assignment, sub: Submission, checks: list[Check], *,
              sandbox_mode: str = "auto") -> tuple[SubmissionResult, list[str]]:
    """Run ``checks`` on ``sub`` in the sandbox: (result, sandbox protections)."""
    start = time.perf_counter()
    if sub.kind == "invalid":
        message = f"your submission could not be read: {sub.error}"
        results = [CheckResult(check=c.id, function=c.function, points=0.0,
                               max_points=c.points, visibility=c.visibility, outcome=ERROR,
                               message=message) for c in checks]
        return SubmissionResult(student=sub.student, assignment=assignment.id,
                                content_hash=sub.content_hash, checks=results,
                                status="invalid", error=sub.error, graded_at=now_iso()), []
    zygote = open_sandbox(job=0, mode=sandbox_mode)  # adopts the zygote started early
    try:
        runner = SandboxRunner(zygote, files=sub.files, spec=sub.spec(Path(assignment.submit).stem),
                               limits=assignment.limits)
        student = Student(runner)
        runner.start()
        results = [check_result(ran) for ran in run_checks(
            checks, student, checklib=checklib, helpers=helper_module)]
        output = runner.close()
        protections = [zygote.mode]
    finally:
        zygote.close()
    status, error = ("load_failed", runner.import_error) if runner.import_error else ("graded", "")
    if status == "graded" and any(c.outcome == GRADER_ERROR for c in results):
        status = "grader_error"
    return SubmissionResult(
        student=sub.student, assignment=assignment.id, content_hash=sub.content_hash,
        checks=results, status=status, error=error, cell_errors=list(runner.cell_errors),
        events=list(runner.events), output=output,
        duration=round(time.perf_counter() - start, 4), graded_at=now_iso()), protections


# ------------------------------------------------------------------ either way


def run_in_session(assignment: Assignment, sub: Submission, files: list[Path], *,
                   sandbox_mode: str = "auto") -> tuple[SubmissionResult, list[str]]:
    """The public checks of ``files`` on ``sub`` in a pytest session, as grading runs them."""
    from autograder.grading.session import run_session

    results: list[SubmissionResult] = []
    protections: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dlgrade-checks-") as tmp:
        # pytest cannot collect a path holding "[" (a folder named "my [work]", say)
        copies = []
        for index, path in enumerate(files):
            copies.append(Path(tmp) / f"{index:02d}" / path.name)
            copies[-1].parent.mkdir()
            shutil.copy(path, copies[-1])
        run_session(assignment=assignment, submissions=[sub], emit=results.append,
                    hidden=False, check_files=copies, sandbox_mode=sandbox_mode,
                    on_ready=lambda specs, zygote: protections.extend([zygote.mode]))
    return results[0], protections


def run_public_checks(assignment: Assignment, sub: Submission, files: list[Path], *,
                      sandbox_mode: str = "auto") -> tuple[SubmissionResult, list[str]]:
    """The public checks of ``files`` on ``sub``: (result, sandbox protections)."""
    try:
        return run_quick(assignment, sub, collect(files), sandbox_mode=sandbox_mode)
    except NeedsPytest:
        return run_in_session(assignment, sub, files, sandbox_mode=sandbox_mode)
