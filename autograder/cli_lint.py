"""``dlgrade lint``: find authoring errors in the course, then (``--prove``)
grade the reference's mutants to prove the checks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.cli_options import COURSE, AssignmentOption
from autograder.errors import ExitCode


@click.command()
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
        sys.exit(int(ExitCode.INTERRUPTED))
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
