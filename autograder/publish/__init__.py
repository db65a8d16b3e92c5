"""``dlgrade package``: ship dlgrade's sandboxed grading to the platforms where
courses already collect work (Gradescope, GitHub Classroom, PrairieLearn).

:mod:`autograder.publish.bundle` builds what every package holds (a dlgrade
wheel, the assignment's checks and the mistake library, a small config);
one module per platform builds its package and is also the entry point the
platform runs (``python -m autograder.publish.<platform>``), which grades
through :func:`autograder.grading.engine.grade` or :func:`autograder.selfcheck.run.self_check`
and converts the result into the platform's format.
"""

from __future__ import annotations

from enum import Enum


class Platform(str, Enum):
    """The platforms ``dlgrade package`` builds for."""

    GRADESCOPE = "gradescope"
    CLASSROOM = "classroom"
    PRAIRIELEARN = "prairielearn"


# Defaults the ``dlgrade package`` options read (this module stays light: no engine import).
HIDDEN_VISIBILITIES = ("after_published", "hidden", "after_due_date")  # Gradescope's names
DEFAULT_HIDDEN_VISIBILITY = HIDDEN_VISIBILITIES[0]
DEFAULT_IMAGE = "prairielearn/grader-python"  # PrairieLearn's grading image
