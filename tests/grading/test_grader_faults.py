"""Grader faults, through the real ``dlgrade grade`` (and the real session behind it).

Checks whose points do not add up, two checks with one id and a check without
a points marker are the course author's errors: ``dlgrade grade`` refuses them
before any work (the static pass of ``dlgrade lint``, exit 2) and writes
nothing; a grading session handed them anyway (``dlgrade lint``'s full pass,
``dlgrade prove``) refuses them too, as a grader fault naming the check. A
grading process that dies mid-run never leaves a silent zero.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.assignment import load_assignment
from autograder.course.submission import Submission
from autograder.errors import GraderFault
from autograder.grading.session import run_session

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
SUMMARY = "(1 authoring error; `dlgrade lint` checks the whole course)"


def dlgrade(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    """A copy of the course and a class of four reference submissions a-d."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "assignments", root / "assignments")
    shutil.copytree(REPO / "solutions", root / "solutions")
    for name in "abcd":
        (root / "subs" / name).mkdir(parents=True)
        shutil.copy(REPO / "solutions" / "neural_network.py", root / "subs" / name)
    return root


def acts(course: Path) -> Path:
    return course / "assignments" / "activations"


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def refused(course: Path, message: str) -> None:
    """``dlgrade grade`` exits 2 with ``message`` and its summary line, writing nothing."""
    run = dlgrade("grade", "subs", "-a", "activations", "-o", "out", "--course", ".",
                  cwd=course)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [f"dlgrade: error: {message}", SUMMARY]
    assert run.stdout == ""
    assert not (course / "out").exists()


def session_fault(course: Path) -> str:
    """The grader fault a session raises on the course's activations checks."""
    assignment = load_assignment(course, "activations")
    sub = Submission("a", "py", files={"neural_network.py": (
        REPO / "solutions" / "neural_network.py").read_text()})
    results: list[object] = []
    with pytest.raises(GraderFault) as caught:
        run_session(assignment=assignment, submissions=[sub], emit=results.append)
    assert results == []  # nobody graded with broken checks
    return str(caught.value)


def test_points_that_do_not_add_up(course: Path) -> None:
    toml = acts(course) / "assignment.toml"
    toml.write_text(toml.read_text().replace("relu = 10", "relu = 12"))
    refused(course, f"assignments/activations/assignment.toml:{line_of(toml, 'relu = 12')}: "
            "[points] gives relu 12, but its checks are worth 10 (public/test_relu.py: 5, "
            "hidden/test_relu.py: 5; each parametrized case counts the marker's points)")
    assert session_fault(course) == ("the checks of 'activations' could not run:\n"
                                     "assignment 'activations': the checks of relu are worth "
                                     "10 points, but assignment.toml says 12")


def test_two_checks_with_one_id(course: Path) -> None:
    path = acts(course) / "hidden" / "test_softmax.py"
    path.write_text(path.read_text() + "\n\n@pytest.mark.points(0)\n"
                    "def test_relu_does_not_modify_input(student):\n    pass\n")
    first = line_of(acts(course) / "hidden" / "test_relu.py", "def test_relu_does_not_modify")
    refused(course, f"assignments/activations/hidden/test_softmax.py:"
            f"{line_of(path, 'def test_relu_does_not_modify')}: check "
            "'relu_does_not_modify_input' has the same name as the one at "
            f"hidden/test_relu.py:{first}: rename one (check names are grades.csv columns)")
    assert session_fault(course) == ("the checks of 'activations' could not run:\n"
                                     "two checks are both called 'relu_does_not_modify_input'")


def test_a_check_without_points(course: Path) -> None:
    path = acts(course) / "hidden" / "test_relu.py"
    path.write_text(path.read_text() + "\n\ndef test_relu_no_points(student):\n    pass\n")
    refused(course, f"assignments/activations/hidden/test_relu.py:"
            f"{line_of(path, 'def test_relu_no_points')}: check 'relu_no_points' has no "
            "@pytest.mark.points(...)")
    # (the node id names no file: pytest's rootdir is a temp dir outside the course)
    assert session_fault(course) == ("the checks of 'activations' could not run:\n"
                                     "::test_relu_no_points: every check needs "
                                     "@pytest.mark.points(...)")


DOOM = '''
import os

import numpy as np
import pytest


@pytest.mark.points(0)
@pytest.mark.visibility("hidden")
@pytest.mark.tags("relu")
def test_relu_kills_the_grader(student):
    if student.relu(np.array([-7.0]))[0] == 42.0:
        os._exit(3)  # a grader bug that ends the grading process on b's answer
'''

WEIRD_RELU = '''

_relu = relu


def relu(Z):
    if np.asarray(Z).shape == (1,) and float(np.asarray(Z)[0]) == -7.0:
        return np.array([42.0])
    return _relu(Z)
'''


def test_a_grading_process_that_dies(course: Path) -> None:
    (acts(course) / "hidden" / "test_doom.py").write_text(DOOM)
    entry = course / "subs" / "b" / "neural_network.py"
    entry.write_text(entry.read_text() + WEIRD_RELU)
    run = dlgrade("grade", "subs", "-a", "activations", "-o", "out", "--course", ".",
                  "--jobs", "1", cwd=course)
    # one process: a is graded, b kills it while c waits in its queue (two in flight),
    # d is never sent; the run stops with one line, and nobody gets a silent zero
    assert run.returncode == 3, run.stderr
    assert run.stderr == "dlgrade: error: every grading process failed: it exited\n"
    assert "Traceback" not in run.stdout + run.stderr
    out = course / "out"
    assert not (out / "grades.csv").exists() and not (out / "report.html").exists()
    extra = {s: json.loads((out / s / "results.json").read_text())["extra_data"]
             for s in "abcd"}
    assert (extra["a"]["status"], extra["a"]["raw_score"]) == ("graded", 20)
    assert {s: (e["status"], e["error"], e["raw_score"]) for s, e in extra.items()
            if s != "a"} == {
        "b": ("grader_error", "the grading process failed: it exited", 0),
        "c": ("grader_error", "the grading process failed: it exited", 0),
        "d": ("grader_error", "not graded: every grading process failed", 0)}
    assert extra["a"]["grader_errors"] == []
    assert all(len(extra[s]["grader_errors"]) == 19 for s in "bcd")  # every check listed
    # what the students read says it was the grader, not them
    output = json.loads((out / "b" / "results.json").read_text())["output"]
    assert ("Not graded, because the grader failed (not your fault): the grading process "
            "failed: it exited") in output
    assert "could not be loaded" not in output
    feedback = (out / "b" / "feedback.md").read_text()
    assert "The grader failed on your submission (not your fault)" in feedback
    assert "your instructor will grade it again" in feedback
    assert "could not be loaded" not in feedback
