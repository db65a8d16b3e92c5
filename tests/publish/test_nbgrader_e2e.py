"""The nbgrader release/collect workflow, end to end, with the real nbgrader CLI.

An instructor makes a course with ``dlgrade nbgrader init``, releases the
activations notebook through a filesystem exchange; three students fetch it,
fill it in and submit it; the instructor collects, then grades twice: with
``nbgrader autograde`` and with ``dlgrade grade --to-nbgrader``. One student
is right, one computes softmax over the wrong axis, and one has a wrong
softmax and monkeypatches numpy's comparison helpers, which fools the checks
that nbgrader runs inside the student's own kernel but not dlgrade's.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.publish.nbgrader_course import split_solution
from conftest import NBGRADER, tool_env

pytestmark = pytest.mark.slow

# the `dlgrade` command of the Python running the tests
DLGRADE = [sys.executable, "-m", "autograder.cli"]
COURSE_ID = "dl101"
ASSIGNMENT = "activations"

WRONG_AXIS = '''
def softmax(Z):
    """Softmax over the wrong axis: each column sums to 1, not each row."""
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=0, keepdims=True)
'''

CHEATER = '''
import numpy as np


def _agree(*args, **kwargs):
    return True


def _all_close(a, b, *args, **kwargs):
    return np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)


def _no_error(*args, **kwargs):
    return None


# every comparison the checks could make now agrees
np.allclose = _agree
np.array_equal = _agree
np.all = _agree
np.isclose = _all_close
np.testing.assert_allclose = _no_error
np.testing.assert_array_equal = _no_error
np.testing.assert_array_almost_equal = _no_error


def softmax(Z):
    return np.exp(Z)  # never normalised: not probabilities at all
'''


def _env(home: Path) -> dict[str, str]:
    """Environment of one user: their own HOME and Jupyter folders."""
    for sub in ("", ".jupyter", "data", "runtime"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = tool_env()  # nbgrader and its kernels: from the interpreter running the tests
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("JUPYTER_PATH", None)
    return env


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def _fill(notebook: Path, functions: dict[str, str], extra: str = "") -> None:
    """Write ``functions[name]`` into the solution cell of ``name`` (``extra`` first)."""
    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        name = grade_id.removeprefix("solution_")
        if grade_id.startswith("solution_") and name in functions:
            cell.source = (extra if name == "softmax" else "") + functions[name]
    nbformat.write(nb, str(notebook))


def _reference(repo: Path) -> dict[str, str]:
    """The reference functions without their fences: what a correct student writes."""
    toolkit = split_solution((repo / "solutions" / "neural_network.py").read_text())
    return {name: "\n".join(line for line in code.splitlines()
                            if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
            for name, code in toolkit.functions.items()}


def _scores_by_cell(db: Path) -> dict[str, dict[str, float]]:
    """{student: {grade cell: score}} read with nbgrader's own API."""
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores.setdefault(submission.student.id, {})[grade.cell.name] = grade.score
    return scores


def test_release_collect_autograde_and_dlgrade(tmp_path: Path, repo: Path) -> None:
    env = _env(tmp_path / "instructor")
    course, exchange, out = tmp_path / "course", tmp_path / "exchange", tmp_path / "out"
    exchange.mkdir()
    nb_flags = [f"--course={COURSE_ID}", f"--Exchange.root={exchange}"]

    # instructor: make the course, generate and release the assignment
    _run([*DLGRADE, "nbgrader", "init", str(course),
          "-a", ASSIGNMENT, "--course", str(repo), "--course-id", COURSE_ID,
          "--exchange", str(exchange)], cwd=tmp_path, env=env)
    _run([*NBGRADER, "generate_assignment", ASSIGNMENT], cwd=course, env=env)
    released = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" not in released and "softmax_shift_invariant" not in released
    _run([*NBGRADER, "release_assignment", ASSIGNMENT], cwd=course, env=env)

    # students: fetch, fill in, submit (each under their own id)
    reference = _reference(repo)
    work = {"alice": ({"relu": reference["relu"], "softmax": reference["softmax"]}, ""),
            "bob": ({"relu": reference["relu"], "softmax": WRONG_AXIS}, ""),
            "mallory": ({"relu": reference["relu"], "softmax": ""}, CHEATER)}
    for student, (functions, extra) in work.items():
        home = tmp_path / "students" / student
        _run([*NBGRADER, "fetch_assignment", ASSIGNMENT, *nb_flags], cwd=home,
             env=_env(home))
        _fill(home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", functions, extra)
        _run([*NBGRADER, "submit", ASSIGNMENT, f"--student={student}", *nb_flags],
             cwd=home, env=_env(home))

    # instructor: collect; grade with nbgrader, then with dlgrade
    _run([*NBGRADER, "collect", ASSIGNMENT], cwd=course, env=env)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == list(work)
    _run([*NBGRADER, "autograde", ASSIGNMENT], cwd=course, env=env)
    by_nbgrader = _scores_by_cell(course / "gradebook.db")

    _run([*DLGRADE, "grade", str(course / "submitted"),
          "-a", ASSIGNMENT, "-o", str(out), "--to-nbgrader", "--course", str(repo)],
         cwd=course, env=env)
    by_dlgrade = _scores_by_cell(course / "gradebook.db")
    _run([*NBGRADER, "generate_feedback", ASSIGNMENT], cwd=course, env=env)
    _run([*NBGRADER, "export", "--to", str(tmp_path / "grades.csv")], cwd=course, env=env)

    # nbgrader accepts the generated course and gives the correct student full marks
    assert by_nbgrader["alice"] == {"test_relu": 10, "test_softmax": 10}
    # dlgrade's own report: full marks, the wrong axis docked on softmax only, and the
    # cheater without a single softmax point
    with open(out / "grades.csv", newline="") as fh:
        rows = {row["student"]: row for row in csv.DictReader(fh)}
    assert float(rows["alice"]["total"]) == float(rows["alice"]["max_total"]) == 20
    per_function = {s: _function_scores(out / s / "results.json") for s in work}
    assert per_function["alice"] == {"relu": 10, "softmax": 10}
    assert per_function["bob"]["relu"] == 10 and per_function["bob"]["softmax"] < 10
    assert per_function["mallory"]["softmax"] == 0
    # the same scores in nbgrader's gradebook (nbgrader's API) and in its export
    for student in work:
        assert by_dlgrade[student] == {f"test_{f}": score
                                       for f, score in per_function[student].items()}
    with open(tmp_path / "grades.csv", newline="") as fh:
        exported = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(fh)
                    if row["assignment"] == ASSIGNMENT}
    assert exported == {s: sum(per_function[s].values()) for s in work}

    # honest students get the same marks from both graders; the cheater fools nbgrader
    assert by_nbgrader["bob"] == by_dlgrade["bob"]
    assert by_nbgrader["mallory"] == {"test_relu": 10, "test_softmax": 10}
    assert by_dlgrade["mallory"]["test_softmax"] == 0

    # nbgrader's generate_feedback leaves dlgrade's feedback in place, release_feedback
    # hands it out, and the student fetches exactly dlgrade's page
    mallory = tmp_path / "students" / "mallory"
    _run([*NBGRADER, "release_feedback", ASSIGNMENT], cwd=course, env=env)
    _run([*NBGRADER, "fetch_feedback", ASSIGNMENT, "--student=mallory", *nb_flags],
         cwd=mallory, env=_env(mallory))
    fetched = list((mallory / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(fetched) == 1
    assert fetched[0].read_bytes() == (out / "mallory" / "feedback.html").read_bytes()


def _function_scores(results: Path) -> dict[str, float]:
    scores: dict[str, float] = {}
    for test in json.loads(results.read_text())["tests"]:
        scores[test["tags"][0]] = scores.get(test["tags"][0], 0.0) + test["score"]
    return scores
