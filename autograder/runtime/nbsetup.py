"""The read-only setup cell of an nbgrader notebook (``dlgrade nbgrader init``).

The cell is this file, verbatim, then one generated line that holds verbatim
copies of ``checkrun.py``, ``checklib.py`` and ``helpers.py`` as
``DLGRADE_SOURCES`` and one line calling :func:`install`. The test
cells then call ``checks.run(...)`` for each check: the same fixtures, seeds
and outcome classification as the grader, with the student's functions taken
live from the notebook's own namespace. Self-contained: stdlib + numpy.
"""

from __future__ import annotations

import types
from typing import Any, Callable, MutableMapping

RUNTIME: dict[str, types.ModuleType] = {}


def _module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


def install(sources: dict[str, str], namespace: MutableMapping[str, Any]) -> None:
    """Build the runtime modules and give the notebook ``student`` and ``helpers``.

    Args:
        sources: module name (``checkrun``, ``checklib``, ``helpers``) -> its text.
        namespace: the notebook's globals; ``student.relu`` is its ``relu``.
    """
    for name in ("checkrun", "checklib", "helpers"):
        RUNTIME[name] = _module(name, sources[name])
    namespace["student"] = RUNTIME["checkrun"].InProcessStudent(namespace)
    namespace["helpers"] = RUNTIME["helpers"]


class Checks:
    """Runs the checks of one function and adds up their points.

    Args:
        function: the toolkit function the checks exercise.
        points: what the test cell is worth in nbgrader.
    """

    def __init__(self, function: str, points: float) -> None:
        self.function = function
        self.points = points
        self.earned = 0.0
        self.available = 0.0

    def run(self, test: Callable[..., Any], check: str, points: float, hidden: bool = False,
            **params: Any) -> None:
        """Run one check; print PASS, or FAIL and why."""
        checkrun = RUNTIME["checkrun"]
        student = checkrun.InProcessStudent(test.__globals__)
        self.available += points
        # quiet: nbgrader scores a cell that writes to stderr 0
        outcome, message, detail = checkrun.run_check(
            test, check, hidden=hidden, student=student, checklib=RUNTIME["checklib"],
            helpers=RUNTIME["helpers"], params=params, quiet=True)
        if outcome == checkrun.PASSED:
            self.earned += points
            print(f"PASS  {check}  ({points:g}/{points:g})")
            return
        if outcome == checkrun.GRADER_ERROR:
            message = detail  # the notebook's reader is the student and the instructor
        print(f"FAIL  {check}  (0/{points:g})\n      " + message.replace("\n", "\n      "))

    def score(self) -> float:
        """This cell's points (nbgrader reads the number as partial credit)."""
        print(f"{self.function}: {self.earned:g} of {self.available:g} check points")
        if not self.available:
            return 0.0
        return round(self.points * self.earned / self.available, 4)
