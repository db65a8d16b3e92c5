"""The reference gets full marks on every assignment, on each path that grades it.

This is the one place the claim is asserted (it used to be asserted three
times: by the clean-course lint test, by the discrimination corpus and by the
nbgrader notebook test). Each assignment is discovered in ``assignments/``,
never listed, so a new one is guarded the moment it exists, and each path runs
once per assignment:

* the sandbox: ``solutions/<submit>`` graded by the engine's session, as
  ``dlgrade grade`` grades a student (every check collected runs and passes);
* the nbgrader notebook: the assignment's notebook with its reference solution
  cells, executed cell by cell as a kernel would (lint's own executor), gives
  every test cell the points of its function.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_support import failures, grade

from autograder.authoring.lint import collect_located, run_cells
from autograder.course.assignment import list_assignments, load_assignment
from autograder.course.submission import Submission
from autograder.publish.nbgrader_course import build_notebook

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("assignment_id", list_assignments(REPO))
def test_the_reference_gets_full_marks(repo: Path, assignment_id: str) -> None:
    assignment = load_assignment(repo, assignment_id)
    reference = (repo / "solutions" / assignment.submit).read_text(encoding="utf-8")
    located, problems = collect_located(assignment)
    assert problems == []

    # the sandbox: every check the grader collects runs, passes and gives its points
    files = {name: (repo / "solutions" / name).read_text(encoding="utf-8")
             for name in assignment.also_submit}  # the files the graded one imports
    result = grade(repo, assignment_id,
                   [Submission("reference", "py", files={**files, assignment.submit: reference})])[
        "reference"]
    assert result.status == "graded", result.error
    assert sorted(c.check for c in result.checks) == sorted(c.spec.id for c in located)
    assert failures(result) == ""
    assert result.score == result.max_score == assignment.total_points

    # the nbgrader notebook: no cell fails, every test cell gives its function's points
    scores, printed, error = run_cells(build_notebook(repo, assignment))
    assert error == ""
    assert scores == {f"test_{f}": p for f, p in assignment.points.items()}, printed
