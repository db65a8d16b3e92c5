"""The ``dlgrade`` command. Commands are thin: parse, call one library
function, render, return an exit code. Heavy modules are imported inside the
commands so that ``dlgrade --help`` and ``dlgrade check`` stay fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from autograder.cli_options import AssignmentOption
from autograder.errors import DlgradeError, ExitCode
from autograder.sandbox.modes import MODE_NAMES


def _fail(exc: DlgradeError) -> None:
    click.echo(f"dlgrade: error: {exc}", err=True)
    sys.exit(int(exc.exit_code))


class _Group(click.Group):
    """Turns a :class:`DlgradeError` into one line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DlgradeError as exc:
            _fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlgrade")
def main() -> None:
    """dlgrade: grade the 'Learn Deep Learning with NumPy' exercises, safely and fast.

    Students: `dlgrade check` runs the public checks on your neural_network.py.
    Instructors: `dlgrade grade SUBMISSIONS -a ASSIGNMENT -o OUT` grades a class.
    Student code always runs in a sandboxed process; checks run outside it.
    """


SANDBOX = click.option(
    "--sandbox", type=click.Choice(MODE_NAMES),
    default="auto", show_default=True,
    help="How to isolate student code: auto picks the strongest this machine has "
    "(namespaces as root, userns, then landlock: Linux 5.13+); a named mode that is "
    "not available is an error; basic (rlimits and a process only) is not a security "
    "boundary.")
COURSE = click.option("--course", type=click.Path(file_okay=False, path_type=Path),
                      default=None, help="Course root (holds assignments/). Default: "
                      "the current directory.")


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("-a", "--assignment", required=True, cls=AssignmentOption,
              help="Assignment id.")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output folder for grades.csv, report.html and per-student results.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Grading processes to run in parallel [default: the number of CPUs].")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=None,
              help="Seconds one call of a student function may take (loading the file: "
              "twice that) [assignment: 5].")
@click.option("--memory", type=click.IntRange(64, 65536), default=None,
              help="Memory limit (MB) of a student's process [assignment: 1024]. "
              "Checked before grading: too little to load numpy is an error, not zeros.")
@click.option("--force", is_flag=True, help="Regrade unchanged submissions too.")
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
    from autograder.grading.engine import GradeOptions, grade as run_grade, parse_late_policy
    from autograder.errors import UsageError
    from autograder.sandbox.modes import SandboxMode

    if not submissions.is_dir():
        raise UsageError(f"'{submissions}' is not a folder of submissions")
    if to_nbgrader:
        from autograder.cli_nbgrader import require_nbgrader

        require_nbgrader()  # before grading, not after
    options = GradeOptions(
        jobs=jobs or os.cpu_count() or 2, force=force, gradebook=gradebook, scheduler=scheduler,
        overrides={"call_timeout": timeout, "memory_mb": memory,
                   "import_timeout": max(2 * timeout, 1.0) if timeout else None},
        late=parse_late_policy(due, late_penalty, late_cap, tz=tz, times=times),
        sandbox=SandboxMode(sandbox),
    )
    from autograder.grading.interrupt import INTERRUPTED_EXIT, GradingInterrupted, handle_signals

    try:
        with handle_signals():  # Ctrl-C / SIGTERM: keep what finished, say so, exit 130
            summary = _with_progress(lambda progress: run_grade(
                submissions, assignment_id=assignment, out=out, course=course,
                options=options, progress=progress))
    except GradingInterrupted as exc:
        click.echo(exc.message(), err=True)
        sys.exit(INTERRUPTED_EXIT)
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
    if summary.mode == "basic":
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


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path), default=".")
@click.option("-a", "--assignment", default=None,
              cls=AssignmentOption, help="Which assignment's public checks to run "
              "(default: toolkit, or the course's only assignment).")
@click.option("--hints", is_flag=True,
              help="Also show a hint on how to fix each failed check (the first message "
              "only says what is wrong and where).")
@SANDBOX
@click.option("--course", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Instructors: take the checks from this course root (holds "
              "assignments/) instead of the student template.")
def check(path: Path, assignment: str | None, hints: bool, sandbox: str,
          course: Path | None) -> None:
    """Run the public checks on your neural_network.py (or the files the assignment names).

    PATH is your file, or a folder of your copy of the student template (or a
    folder below it, such as tests/); default: here. The first line names the
    files checked (an assignment may name several: they are checked together);
    then each function in the course's order, one line for the functions not
    written yet, and what to do next.

    These are the checks you can see in tests/. More (hidden) checks run when
    your work is graded. Exit code 0 when every public check passes, 1 otherwise.
    """
    from autograder.sandbox.launch import start_early
    from autograder.sandbox.modes import SandboxMode, require

    mode = SandboxMode(sandbox)
    if mode is not SandboxMode.AUTO:  # a named mode must exist here: say so before starting
        require(mode)
    start_early(mode=mode.value)  # it warms up while the checks are imported and collected
    from autograder.reports.terminal import render_self_check
    from autograder.selfcheck.run import self_check

    outcome = self_check(path, assignment_id=assignment, course=course, sandbox=mode)
    ok = render_self_check(outcome, hints=hints)
    if outcome.protections:
        used = outcome.protections[0]
        click.echo(f"Your code ran in the '{used}' sandbox" + (
            " (no strong isolation here: fine for your own code)." if used == "basic"
            else "."))
    sys.exit(int(ExitCode.OK if ok else ExitCode.CHECKS_FAILED))


@main.command()
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the student template [default: COURSE/student_template].")
@COURSE
def generate(out: Path | None, course: Path | None) -> None:
    """Regenerate the student template from solutions/ and the public checks.

    Writes stubs of solutions/neural_network.py, every assignment's public
    checks (never hidden ones), a conftest so plain pytest works, a README
    and the Part 3.2 exercise notebook. Refuses to overwrite a folder that
    is not a previous template.
    """
    from autograder.course.assignment import find_course
    from autograder.publish.template import generate_template

    from autograder.authoring.lint import require_valid

    root = find_course(course)
    require_valid(root)  # never ship a template with a broken check
    target = out or root / "student_template"
    written = generate_template(root, target)
    click.echo(f"wrote {len(written)} files to {target}")


@main.command()
@click.option("-a", "--assignment", "assignments", multiple=True, cls=AssignmentOption,
              help="Assignment to lint (repeatable) [default: all].")
@click.option("--quick", is_flag=True, help="Only the static pass (markers, points, tags, "
              "folders, solutions); grade nothing.")
@click.option("--prove", is_flag=True, help="Then run the mutation analysis (needs "
              "cosmic-ray) on the -a assignments, or on those changed since --since.")
@click.option("--since", default="HEAD", show_default=True, metavar="REV",
              help="With --prove and no -a: prove the assignments whose folder, or whose "
              "functions in the reference, differ from this git revision (uncommitted and "
              "untracked files count).")
@click.option("--sample", type=click.FloatRange(0.0, 1.0, min_open=True), default=1.0,
              show_default=True, help="With --prove: grade a seeded random fraction of "
              "the mutants.")
@COURSE
def lint(assignments: tuple[str, ...], quick: bool, prove: bool, since: str, sample: float,
         course: Path | None) -> None:
    """Find authoring errors in the course without grading anyone (for course authors).

    Checks every assignment's markers (points, visibility, tags), that the checks'
    points add up to assignment.toml's [points], that tags[0] names one of its
    functions, its public/ and hidden/ folders, duplicate check names and its
    reference in solutions/. Then the reference must score full marks in the
    sandbox and in the assignment's nbgrader notebook, and student_template/
    must be up to date. Prints one `file:line: message` per error and exits 2,
    or prints a short summary and exits 0.

    With --prove, the checks are then proven: every first-order mutant of each
    chosen assignment's reference (inside the solution fences) is graded, and
    the table per function (mutants, killed, equivalent, surviving) is printed
    with each surviving mutant as `solutions/FILE:LINE:` and its change. Exits 2
    when a mutant survives that assignments/<id>/equivalent_mutants.toml does
    not list, or an entry there is stale.
    """
    from autograder.course.assignment import find_course
    from autograder.authoring.lint import lint as run_lint

    root = find_course(course)
    if prove:
        from autograder.authoring.prove import require_cosmic_ray

        require_cosmic_ray()
    report = run_lint(root, assignment_ids=list(assignments) or None, full=not quick)
    if report.problems:
        for line in report.lines():
            click.echo(line)
        count = len(report.problems)
        click.echo(f"dlgrade lint: {count} authoring error{'s' if count > 1 else ''}", err=True)
        sys.exit(int(ExitCode.USAGE))
    listed = ", ".join(f"{a} ({n} checks)" for a, n in report.checks.items())
    done = ("markers, points, tags, folders and solutions" if quick else
            "markers, points, tags, folders, solutions; the reference scores full marks in "
            "the sandbox and in the nbgrader notebook; the template is up to date")
    click.echo(f"lint OK: {listed}: {done}")
    if prove:
        _prove(root, list(assignments), since=since, sample=sample)


def _prove(root: Path, assignments: list[str], *, since: str, sample: float) -> None:
    """The mutation analysis of ``dlgrade lint --prove``; exits 2 on a survivor."""
    from autograder.authoring.prove import changed_assignments, prove, report_lines

    if not assignments:
        changed = changed_assignments(root, since)
        if changed is None:
            click.echo("prove: the course is not a git work tree: proving every assignment")
        elif not changed:
            click.echo(f"prove: no assignment changed since {since} (name one with -a, "
                       "or pass --since REV)")
            return
        else:
            click.echo(f"prove: changed since {since}: {', '.join(changed)}")
        assignments = changed or []
    try:
        report = prove(root, assignments or None, sample=sample)
    except KeyboardInterrupt:
        click.echo("dlgrade lint --prove: interrupted; nothing was proven", err=True)
        sys.exit(130)
    for line in report_lines(report):
        click.echo(line)
    if report.unproven and not (report.survivors or report.stale):
        click.echo(f"dlgrade lint --prove: {len(report.unproven)} function"
                   f"{'s' if len(report.unproven) != 1 else ''} without a mutant: "
                   "put the reference code inside its solution fence", err=True)
        sys.exit(int(ExitCode.USAGE))
    if report.survivors or report.stale:
        click.echo(f"dlgrade lint --prove: {len(report.survivors)} surviving mutant"
                   f"{'s' if len(report.survivors) != 1 else ''}, {len(report.stale)} stale "
                   "equivalent entr" + ("ies" if len(report.stale) != 1 else "y") +
                   ": add a check that fails for each, or list it in "
                   "assignments/<id>/equivalent_mutants.toml with a reason", err=True)
        sys.exit(int(ExitCode.USAGE))


@main.command()
@click.option("--gradebook", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              required=True, help="The SQLite gradebook written by dlgrade grade.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CSV file to write (one row per student, one column per assignment).")
def export(gradebook: Path, out: Path) -> None:
    """Export the latest scores of every assignment as one LMS-ready CSV.

    One row per student; per assignment the grade after any late penalty
    (the number to import), then the entry names and, per assignment, the raw
    score, the penalty and the days late. Text that a spreadsheet would run as
    a formula (=, +, -, @...) starts with a ' there; drop it to get the id.
    """
    from autograder.gradebook import Gradebook

    book = Gradebook(gradebook)
    try:
        rows = book.export_csv(out)
    finally:
        book.close()
    click.echo(f"wrote {rows} students to {out}")


from autograder import publish  # noqa: E402 - light: constants only


@main.command()
@click.argument("platform", type=click.Choice([p.value for p in publish.Platform]))
@click.option("-a", "--assignment", required=True, help="Assignment id, e.g. activations.")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="gradescope: the zip to write (autograder.zip); classroom: the starter "
              "repository folder; prairielearn: the question folder.")
@click.option("--hidden-visibility", default=None,
              type=click.Choice(publish.HIDDEN_VISIBILITIES),
              help="gradescope: when students see the hidden checks [default: "
              f"{publish.DEFAULT_HIDDEN_VISIBILITY}].")
@click.option("--image", default=None, help="prairielearn: the grading image, with python3, "
              f"numpy and pytest [default: {publish.DEFAULT_IMAGE}].")
@click.option("--wheel", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Ship this dlgrade wheel instead of building one from "
              "this tree.")
@COURSE
def package(platform: str, assignment: str, out: Path, hidden_visibility: str | None,
            image: str | None, wheel: Path | None, course: Path | None) -> None:
    """Package an assignment's grading for PLATFORM: gradescope, classroom or prairielearn.

    gradescope: an autograder.zip to upload (hidden checks included).
    classroom: a starter repository with a workflow running the PUBLIC checks
    (students can read their repository; grade hidden checks with dlgrade grade).
    prairielearn: an externally graded question folder (hidden checks in tests/).
    Each holds a dlgrade wheel, the checks and the mistake library; no solutions.
    """
    from autograder.course.assignment import find_course
    from autograder.errors import UsageError
    from autograder.publish import classroom, gradescope, prairielearn

    if hidden_visibility and platform != "gradescope":
        raise UsageError("--hidden-visibility is for gradescope only (Classroom repositories "
                         "hold no hidden checks; PrairieLearn shows every check it is given)")
    if image and platform != "prairielearn":
        raise UsageError("--image is for prairielearn only")
    root = find_course(course)
    if platform == "gradescope":
        names = gradescope.build(course_root=root, assignment_id=assignment, out=out, wheel=wheel,
                                 hidden_visibility=hidden_visibility
                                 or publish.DEFAULT_HIDDEN_VISIBILITY)
        click.echo(f"wrote {out} ({len(names)} files): upload it as the assignment's "
                   "autograder (Configure Autograder > Zip file upload)")
    elif platform == "classroom":
        files = classroom.build(course_root=root, assignment_id=assignment, out=out, wheel=wheel)
        click.echo(f"wrote {len(files)} files to {out}: push it as the assignment's template "
                   "repository (public checks only)")
    else:
        files = prairielearn.build(course_root=root, assignment_id=assignment, out=out,
                                   wheel=wheel, image=image or publish.DEFAULT_IMAGE)
        click.echo(f"wrote {len(files)} files to {out}: copy it into your course's questions/")


from autograder.cli_nbgrader import nbgrader_group  # noqa: E402 - light: click only

main.add_command(nbgrader_group)


if __name__ == "__main__":  # pragma: no cover
    main()
