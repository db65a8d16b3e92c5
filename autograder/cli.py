"""The ``dlgrade`` command. Commands are thin: parse, call one library
function, render, return an exit code. Heavy modules are imported inside the
commands so that ``dlgrade --help`` and ``dlgrade check`` stay fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from autograder import publish  # light: constants only
from autograder.cli_grade import grade
from autograder.cli_lint import lint
from autograder.cli_nbgrader import nbgrader_group
from autograder.cli_options import COURSE, SANDBOX, AssignmentOption
from autograder.errors import DlgradeError, ExitCode
from autograder.sandbox.modes import SandboxMode


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
    from autograder.sandbox.modes import require

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
            " (no strong isolation here: fine for your own code)." if used == SandboxMode.BASIC
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


for command in (grade, lint, nbgrader_group):
    main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
