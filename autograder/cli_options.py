"""Options shared by the ``dlgrade`` commands (light: click and the defaults only)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.options import GradeOptions
from autograder.sandbox.modes import MODE_NAMES


def assignments_here(folder: Path | None = None) -> list[str]:
    """The assignments of the course (``assignments/``) or student template
    (``tests/``) in ``folder`` (default: the current directory)."""
    here = folder or Path.cwd()
    for pattern in ("assignments/*/assignment.toml", "tests/*/assignment.toml"):
        found = sorted(p.parent.name for p in here.glob(pattern))
        if found:
            return found
    return []


class AssignmentOption(click.Option):
    """``-a``: its help lists the assignments found here, never a fixed list."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        found = assignments_here()
        known = (f"here: {', '.join(found)}" if found else
                 "run from the course root or your template to list them")
        text, sep, extra = record[1].partition("  [")  # before "[default: ...]"
        return record[0], f"{text} ({known}){sep}{extra}"


SANDBOX = click.option(
    "--sandbox", type=click.Choice(MODE_NAMES),
    default=GradeOptions.sandbox.value, show_default=True,
    help="How to isolate student code: auto picks the strongest this machine has "
    "(namespaces as root, userns, then landlock: Linux 5.13+); a named mode that is "
    "not available is an error; basic (rlimits and a process only) is not a security "
    "boundary.")
COURSE = click.option("--course", type=click.Path(file_okay=False, path_type=Path),
                      default=None, help="Course root (holds assignments/). Default: "
                      "the current directory.")
