"""The one pytest collection path (grading/collection.py): what it collects, and that
it leaves the process as it found it, so ``dlgrade lint`` then grading (or a test
suite) in one process sees each edit of a check file."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from autograder.authoring.lint import collect_located
from autograder.course.assignment import load_assignment
from autograder.course.submission import Submission
from autograder.grading.collection import collect, spec_of
from autograder.grading.session import run_session
from autograder.publish.nbgrader_course import collect_checks
from autograder.results import SubmissionResult

REPO = Path(__file__).resolve().parents[2]

# a check file that, when imported, changes everything it can reach
MEDDLING = '''
import os
import sys

import pytest

os.environ["DLGRADE_TEST_MEDDLED"] = "yes"
os.environ.pop("DLGRADE_TEST_KEPT", None)
sys.path.insert(0, "/nonexistent/meddled")
os.chdir(os.path.dirname(__file__))
ANSWER = {answer}


@pytest.mark.points(0)
@pytest.mark.visibility("hidden")
@pytest.mark.tags("relu")
def test_relu_meddles(student):
    assert ANSWER == {answer}
'''


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(REPO / "assignments", root / "assignments")
    return root


def snapshot() -> tuple[list[str], dict[str, str], str, set[str]]:
    return list(sys.path), dict(os.environ), os.getcwd(), set(sys.modules)


def test_every_caller_collects_the_same_checks(course: Path) -> None:
    assignment = load_assignment(course, "toolkit")
    collected = collect(assignment.check_files(hidden=True))
    assert collected.errors == [] and collected.exit_code == 0
    specs = [spec_of(item) for item in collected.items]
    assert len(specs) == len({s.id for s in specs}) > 50
    located, problems = collect_located(assignment)
    assert problems == []
    assert [c.spec for c in located] == specs
    assert [(c.id, c.function, c.points, c.hidden) for c in collect_checks(assignment)] == [
        (s.id, s.function, s.points, s.visibility == "hidden") for s in specs]


def test_collecting_restores_the_environment(course: Path, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("DLGRADE_TEST_KEPT", "kept")
    monkeypatch.chdir(tmp_path)
    check = course / "assignments" / "activations" / "hidden" / "test_meddle.py"
    check.write_text(MEDDLING.format(answer=1))
    files = load_assignment(course, "activations").check_files(hidden=True)
    path, environ, cwd, modules = snapshot()
    first = collect(files)
    assert [spec_of(i).id for i in first.items if "meddle" in i.name] == ["relu_meddles"]
    assert first.items[0].module.__name__ not in sys.modules  # type: ignore[attr-defined]
    assert snapshot()[:3] == (path, environ, cwd)
    assert not {m for m in set(sys.modules) - modules if "meddle" in m or "activations" in m}
    # edited between two collections in one process: the second sees the edit
    check.write_text(MEDDLING.format(answer=2))
    second = collect(files)
    meddle = next(i for i in second.items if "meddle" in i.name)
    assert meddle.module.ANSWER == 2  # type: ignore[attr-defined]
    assert snapshot()[:3] == (path, environ, cwd)


def test_a_grading_session_restores_the_environment(course: Path,
                                                    reference_source: str) -> None:
    assignment = load_assignment(course, "activations")
    path, environ, cwd, modules = snapshot()
    results: list[SubmissionResult] = []
    run_session(assignment=assignment, emit=results.append, submissions=[
        Submission("ref", "py", files={"neural_network.py": reference_source})])
    assert [(r.student, r.status, r.score) for r in results] == [("ref", "graded", 20.0)]
    assert snapshot()[:3] == (path, environ, cwd)
    assert not {m for m in set(sys.modules) - modules if ".activations." in m}
