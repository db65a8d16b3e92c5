"""``dlgrade grade``: grade a class, write the reports, print one summary line.

Light at import (click and the defaults): the engine is imported when the
command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from autograder.cli_nbgrader import require_nbgrader
from autograder.cli_options import COURSE, SANDBOX, AssignmentOption
from autograder.course.limits import Limits
from autograder.errors import GradingInterrupted, UsageError
from autograder.options import DEFAULT_JOBS, DEFAULT_JOBS_TEXT, GradeOptions
from autograder.sandbox.modes import SandboxMode


@click.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("-a", "--assignment", required=True, cls=AssignmentOption,
              help="Assignment id.")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output folder for grades.csv, report.html and per-student results.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help=f"Grading processes to run in parallel [default: {DEFAULT_JOBS_TEXT}].")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=None,
              help="Seconds one call of a student function may take (loading the file: "
              f"twice that) [assignment: {Limits.call_timeout:g}].")
@click.option("--memory", type=click.IntRange(64, 65536), default=None,
              help=f"Memory limit (MB) of a student's process [assignment: {Limits.memory_mb}]. "
              "Checked before grading: too little to load numpy is an error, not zeros.")
@click.option("--force", is_flag=True, default=GradeOptions.force,
              help="Regrade unchanged submissions too.")
@click.option("--gradebook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite gradebook shared across assignments [default: OUT/gradebook.db].")
@click.option("--due", default=None, help="Deadline: 2026-12-01 (the end of that day) or "
              "2026-12-01T17:00, in --tz unless it gives a zone. Checked against nbgrader's "
              "timestamp.txt or --times; entries with neither are reported.")
@click.option("--tz", default=None, help="Time zone of --due and of times without one, e.g. "
              "Europe/Paris [default: this machine's zone].")
@click.option("--times", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="CSV with columns student,submitted_at (as LMS exports "
              "give): submission times by entry name or id, for grading outside nbgrader.")
@click.option("--late-penalty", default=None, help="Penalty per started day late, e.g. 10%/day.")
@click.option("--late-cap", default=None, help="Largest total late penalty, e.g. 50% "
              "(needs --late-penalty) [default: 100%].")
@click.option("--to-nbgrader", is_flag=True, help="Also write the scores into the nbgrader "
              "gradebook of the course that SUBMISSIONS belongs to (COURSE/submitted).")
@click.option("--scheduler", default=None, help="Grade on a Dask cluster at this address, "
              "e.g. tcp://10.0.0.5:8786 (needs dlgrade[dask]).")
@SANDBOX
@COURSE
def grade(submissions: Path, assignment: str, out: Path, jobs: int | None, timeout: float | None,
          memory: int | None, force: bool, gradebook: Path | None, due: str | None,
          tz: str | None, times: Path | None, late_penalty: str | None,
          late_cap: str | None, to_nbgrader: bool,
          scheduler: str | None, sandbox: str, course: Path | None) -> None:
    """Grade every submission in SUBMISSIONS (one entry per student).

    An entry is a folder holding neural_network.py or one notebook, a
    <student>.py / .ipynb / .zip file, or nbgrader's submitted/<student>/<assignment>/.
    Symbolic links, pipes and devices are refused, never read; OUT must be
    outside SUBMISSIONS. Ids keep the entry's name (Unicode too); every rename
    is listed. Writes OUT/grades.csv, OUT/<student>/results.json (Gradescope format),
    OUT/<student>/feedback.{md,html}, OUT/report.html and a gradebook.
    Exit code 0 when grading completed, whatever the scores. Refuses to run
    when the only sandbox here is 'basic', unless --sandbox basic is given.
    Ctrl-C or
    SIGTERM stops, keeps every finished student and exits 130; the same
    command then resumes. One run at a time per OUT (OUT/.dlgrade.lock).
    """
    from autograder.grading.engine import grade as run_grade
    from autograder.grading.late import parse_late_policy

    if not submissions.is_dir():
        raise UsageError(f"'{submissions}' is not a folder of submissions")
    if to_nbgrader:
        require_nbgrader()  # before grading, not after
    options = GradeOptions(
        jobs=jobs or DEFAULT_JOBS, force=force, gradebook=gradebook, scheduler=scheduler,
        overrides={"call_timeout": timeout, "memory_mb": memory,
                   "import_timeout": max(2 * timeout, 1.0) if timeout else None},
        late=parse_late_policy(due, late_penalty, late_cap, tz=tz, times=times),
        sandbox=SandboxMode(sandbox),
    )
    from autograder.grading.interrupt import handle_signals

    try:
        with handle_signals():  # Ctrl-C / SIGTERM: keep what finished, say so, exit 130
            summary = _with_progress(lambda progress: run_grade(
                submissions, assignment_id=assignment, out=out, course=course,
                options=options, progress=progress))
    except GradingInterrupted as exc:
        click.echo(exc.message(), err=True)
        sys.exit(int(exc.exit_code))
    if to_nbgrader:
        from autograder.publish.nbgrader_bridge import write_scores

        written = write_scores(out, submissions_dir=submissions, assignment_id=assignment)
        click.echo(f"nbgrader gradebook: {written} submissions written"
                   + (" (points before dlgrade's late penalty, which nbgrader does not "
                      "know; OUT/grades.csv has the penalised total)"
                      if options.late and options.late.per_day else ""))
    rate = summary.graded / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"graded {summary.students} submissions of '{assignment}' in {summary.seconds:.1f} s "
        f"({summary.graded} graded, {summary.reused} unchanged and reused; {rate:.0f}/s): "
        f"mean {summary.mean:.2f}/{summary.max_total:g}, {summary.load_failed} did not load, "
        f"{summary.invalid} invalid, {summary.grader_errors} grader errors; "
        f"sandbox: {summary.mode}; report: {out / 'report.html'}" + _notes(summary)
    )
    if summary.mode == SandboxMode.BASIC:
        click.echo("dlgrade: warning: --sandbox basic: student code was not isolated (it "
                   "could read and write your files and use the network); report.html lists "
                   "every missing protection", err=True)


def _notes(summary: Any) -> str:
    """"; 1 renamed: s1.py -> s1-3; 1 skipped: .DS_Store; due ...: 2 late" (or "")."""
    notes = ""
    if summary.renames:
        shown = ", ".join(f"{r.entry} -> {r.student}" for r in summary.renames[:5])
        more = f" and {len(summary.renames) - 5} more" if len(summary.renames) > 5 else ""
        notes += f"; {len(summary.renames)} renamed: {shown}{more}"
    if summary.skipped:
        shown = ", ".join(summary.skipped[:5])
        more = f" and {len(summary.skipped) - 5} more" if len(summary.skipped) > 5 else ""
        notes += f"; {len(summary.skipped)} skipped: {shown}{more}"
    if summary.late is not None:
        notes += f"; {summary.late.line()}"
    return notes


def _with_progress(run: Any) -> Any:
    """A progress bar on a terminal; in a log, one line per tenth of the work."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    interactive = sys.stderr.isatty()
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True, disable=not interactive) as bar:
        task = bar.add_task("grading", total=None)

        def progress(student: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"grading {student}")
            step = max(total // 10, 1)
            if not interactive and total >= 50 and (done % step == 0 or done == total):
                click.echo(f"graded {done}/{total}", err=True)

        return run(progress)
