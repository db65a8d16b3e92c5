"""``dlgrade nbgrader ...``: run the course on Jupyter with nbgrader.

Wired into the main command with ``main.add_command(nbgrader_group)``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from autograder.cli_options import AssignmentOption
from autograder.errors import UsageError

INSTALL_HINT = "pip install 'dlgrade[nbgrader]'"


def require_nbgrader() -> None:
    """Stop with one line saying what to install when nbgrader is missing.

    nbgrader and Jupyter are an extra (``dlgrade[nbgrader]``): a student's
    install of dlgrade does not carry them.

    Raises:
        UsageError: nbgrader cannot be imported.
    """
    if importlib.util.find_spec("nbgrader") is None:
        raise UsageError("nbgrader is not installed; for dlgrade's nbgrader commands: "
                         + INSTALL_HINT)


@click.group("nbgrader")
def nbgrader_group() -> None:
    """Run the course on Jupyter with nbgrader (release/collect workflow).

    Needs the nbgrader extra: pip install 'dlgrade[nbgrader]'.
    """
    require_nbgrader()



@nbgrader_group.command("init")
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-a", "--assignment", "assignments", multiple=True, cls=AssignmentOption,
              help="Assignment to include (repeatable) [default: all].")
@click.option("--course", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="dlgrade course root (holds solutions/ and assignments/). Default: "
              "the current directory.")
@click.option("--course-id", default="dl-numpy", show_default=True,
              help="nbgrader's course id (students use it with --course).")
@click.option("--exchange", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Exchange folder written into nbgrader_config.py [default: nbgrader's, "
              "/srv/nbgrader/exchange].")
def init(course_dir: Path, assignments: tuple[str, ...], course: Path | None, course_id: str,
         exchange: Path | None) -> None:
    """Create an nbgrader course in COURSE_DIR from the solutions and the checks.

    Writes COURSE_DIR/nbgrader_config.py and COURSE_DIR/source/<assignment>/<assignment>.ipynb
    (solution cells, and test cells with the public checks and, hidden, the hidden
    ones). Then it prints the nbgrader command that releases each of them.
    """
    from autograder.course.assignment import find_course, list_assignments
    from autograder.authoring.lint import require_valid
    from autograder.publish.nbgrader_course import init_course

    root = find_course(course)
    require_valid(root, list(assignments) or None)  # authoring errors: exit 2
    written = init_course(course_dir, course_root=root,
                          assignments=list(assignments) or None, course_id=course_id,
                          exchange=exchange)
    for path in written:
        click.echo(f"wrote {path}")
    ids = list(assignments) or list_assignments(root)
    click.echo(f"next: cd {course_dir} && "
               + " && ".join(f"nbgrader generate_assignment {a}" for a in ids))
