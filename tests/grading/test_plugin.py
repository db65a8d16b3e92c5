"""The plugin's two ways of running a check: called directly (our fixtures only,
every check the courses ship), or through pytest's runner and the report hook
(a check with a fixture of its own, which ``dlgrade grade`` accepts)."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.course.assignment import load_assignment
from autograder.course.submission import Submission
from autograder.grading.session import run_session
from autograder.results import SubmissionResult

REPO = Path(__file__).resolve().parents[2]

OWN_FIXTURES = '''
import numpy as np
import pytest


@pytest.fixture
def pair():
    return np.array([-1.0, 2.0])


@pytest.mark.points(0)
@pytest.mark.visibility("public")
@pytest.mark.tags("relu")
def test_relu_saved_and_loaded(student, expect, tmp_path, pair):
    path = tmp_path / "relu.npy"
    np.save(path, student.relu(pair))
    expect.true(np.load(path).tolist() == [0.0, 2.0], "relu([-1, 2]) read back is wrong.")


@pytest.mark.points(0)
@pytest.mark.visibility("public")
@pytest.mark.tags("relu")
def test_relu_skipped(student, tmp_path):
    pytest.skip("not today")
'''


def test_a_check_with_its_own_fixtures_goes_through_pytest(tmp_path: Path,
                                                           reference_source: str) -> None:
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments", course / "assignments")
    (course / "assignments" / "activations" / "public" / "test_files.py").write_text(
        OWN_FIXTURES)
    wrong = reference_source.replace("return np.maximum(0, Z)", "return Z")
    assert wrong != reference_source
    results: list[SubmissionResult] = []
    run_session(assignment=load_assignment(course, "activations"), emit=results.append,
                submissions=[Submission(name, "py", files={"neural_network.py": source})
                             for name, source in (("ref", reference_source), ("wrong", wrong))])
    got = {(r.student, c.check): (c.outcome, c.message, c.detail.split(":")[0])
           for r in results for c in r.checks if c.check in ("relu_saved_and_loaded",
                                                              "relu_skipped")}
    assert got == {
        ("ref", "relu_saved_and_loaded"): ("passed", "", ""),
        ("wrong", "relu_saved_and_loaded"): ("failed", "relu([-1, 2]) read back is wrong.", ""),
        ("ref", "relu_skipped"): ("grader_error", "skipped", "check skipped"),
        ("wrong", "relu_skipped"): ("grader_error", "skipped", "check skipped"),
    }
