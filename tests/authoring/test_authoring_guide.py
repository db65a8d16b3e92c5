"""docs/authoring.md, followed step by step in a temp copy of the course: the
files it shows are read from the guide itself, then lint, generate, check,
grade and nbgrader init must work and the reference must get full marks."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.lint import run_cells

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
STEP = re.compile(r"<!-- guide: (create|append) (\S+) -->\n```\w*\n(.*?)```", re.S)
POINTS = {"relu_derivative": 5.0, "sigmoid_derivative": 6.0}


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "1000"}  # no table cell wraps a message
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def in_guide(command: str) -> str:
    """``command``, after checking that the guide tells authors to run it."""
    assert command in GUIDE.read_text(), f"the guide does not say `{command}`"
    return command


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory, repo: Path) -> Path:
    """A copy of the course with the guide's `derivatives` assignment added."""
    root = tmp_path_factory.mktemp("guide") / "course"
    for name in ("assignments", "solutions", "student_template"):
        shutil.copytree(repo / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    steps = STEP.findall(GUIDE.read_text())
    # reference, toml, README, 2 public, 2 hidden, mistakes, equivalent mutants
    assert len(steps) == 9
    for action, relative, text in steps:
        path = root / relative
        assert (action == "append") == path.exists(), relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a" if action == "append" else "w", encoding="utf-8") as handle:
            handle.write(text)
    return root


def test_a_cross_function_call_is_defined_in_the_notebook(course: Path) -> None:
    # the guide says the reference could call sigmoid: the notebook then defines it too
    from autograder.course.assignment import load_assignment
    from autograder.publish.nbgrader_deps import notebook_code

    solution = course / "solutions" / "neural_network.py"
    text = solution.read_text()
    calling = text.replace("    s = 1.0 / (1.0 + np.exp(-np.clip(Z, -500, 500)))  # clip: no "
                           "overflow in np.exp\n", "    s = sigmoid(Z)\n")
    assert calling != text
    solution.write_text(calling)
    try:
        run = dlgrade("lint", "-a", "derivatives", cwd=course)
        code = notebook_code(course, load_assignment(course, "derivatives"))
    finally:
        solution.write_text(text)
    assert list(code.dependencies) == ["sigmoid"]
    # before the guide's `dlgrade generate`, the stale template is the only problem
    assert run.returncode == 2
    assert all("run `dlgrade generate`" in line for line in run.stdout.splitlines()), run.stdout
    assert "It could: in\nthe file students hand in" in GUIDE.read_text()


def test_the_guide_walk_through(course: Path, tmp_path: Path) -> None:
    # static lint first: the new assignment's markers and points are right
    run = dlgrade(*in_guide("dlgrade lint --quick").split()[1:], cwd=course)
    assert run.returncode == 0, run.stdout
    assert "derivatives (8 checks)" in run.stdout
    # full lint before generate: only the template is stale
    run = dlgrade("lint", "-a", "derivatives", cwd=course)
    assert run.returncode == 2
    assert all("run `dlgrade generate`" in line for line in run.stdout.splitlines())
    assert "student_template/neural_network.py:" in run.stdout

    assert dlgrade(*in_guide("dlgrade generate").split()[1:], cwd=course).returncode == 0
    template = course / "student_template"
    stub = (template / "neural_network.py").read_text()
    assert 'raise NotImplementedError("Write relu_derivative here")' in stub
    assert 'raise NotImplementedError("Write sigmoid_derivative here")' in stub
    assert "(Z > 0).astype(float)" not in stub  # the solution is not handed out
    shipped = sorted(p.name for p in (template / "tests" / "derivatives").iterdir())
    assert shipped == ["README.md", "assignment.toml", "test_relu_derivative.py",
                       "test_sigmoid_derivative.py"]  # public checks only
    assert "dlgrade check -a derivatives" in (template / "README.md").read_text()

    # full lint: the reference gets full marks in the sandbox and the notebook
    run = dlgrade(*in_guide("dlgrade lint -a derivatives").split()[1:], cwd=course)
    assert run.returncode == 0, run.stdout
    assert run.stdout.startswith("lint OK: derivatives (8 checks): ")

    # dlgrade check: the reference passes; the template's stubs fail, kindly
    run = dlgrade(*in_guide("dlgrade check solutions/neural_network.py -a derivatives "
                            "--course .").split()[1:], cwd=course)
    assert run.returncode == 0, run.stdout
    run = dlgrade("check", "-a", "derivatives", cwd=template)
    assert run.returncode == 1
    # the functions not written yet share one line
    assert any(line.startswith("Functions not written yet") and "relu_derivative" in line
               for line in run.stdout.splitlines()), run.stdout

    # dlgrade grade: the reference 11/11, the stub 0, a known mistake named
    subs = tmp_path / "subs"
    subs.mkdir()
    reference = (course / "solutions" / "neural_network.py").read_text()
    (subs / "reference.py").write_text(reference)
    (subs / "stub.py").write_text(stub)
    (subs / "at_zero.py").write_text(reference + "\n\ndef relu_derivative(Z):\n"
                                     "    return (Z >= 0).astype(float)\n")
    out = tmp_path / "out"
    assert in_guide("dlgrade grade SUBMISSIONS -a derivatives -o OUT")
    run = dlgrade("grade", str(subs), "-a", "derivatives", "-o", str(out), cwd=course)
    assert run.returncode == 0, run.stderr
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert (rows["reference"]["total"], rows["reference"]["max_total"]) == ("11", "11")
    assert rows["stub"]["total"] == "0"
    assert rows["at_zero"]["total"] == "9"  # only the check with Z == 0 in it fails
    results = json.loads((out / "at_zero" / "results.json").read_text())
    failed = [t for t in results["tests"] if t["score"] < t["max_score"]]
    assert [t["name"] for t in failed] == ["relu_derivative_small_matrix"]
    assert ("Likely cause: relu_derivative gives slope 1 at Z == 0 too (it compares with "
            "Z >= 0)." in failed[0]["output"])
    assert "Z > 0" not in failed[0]["output"]  # the fix is the hint, in feedback.md
    assert any("Hint:" in line and "The slope at 0 is 0: compare with Z > 0." in line
               for line in (out / "at_zero" / "feedback.md").read_text().splitlines())

    # dlgrade nbgrader init: the notebook gives the reference full marks
    nbformat = pytest.importorskip("nbformat")
    assert in_guide("dlgrade nbgrader init ~/dl101 -a derivatives")
    run = dlgrade("nbgrader", "init", str(tmp_path / "dl101"), "-a", "derivatives", cwd=course)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].endswith("nbgrader generate_assignment derivatives")
    notebook = nbformat.read(str(tmp_path / "dl101" / "source" / "derivatives" /
                                 "derivatives.ipynb"), as_version=4)
    scores, _, error = run_cells(notebook)
    assert error == ""
    assert scores == {f"test_{f}": p for f, p in POINTS.items()}


def test_the_guide_prove_step(course: Path) -> None:
    # step 7: the guide's checks kill every mutant but the seven it lists as equivalent
    run = dlgrade(*in_guide("dlgrade lint --quick --prove -a derivatives").split()[1:],
                  cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split()[1]: line.split()[2:7] for line in run.stdout.splitlines()
            if line.startswith("derivatives ")}
    assert rows["relu_derivative"] == ["7", "7", "0", "0", "100.0%"]
    assert rows["sigmoid_derivative"] == ["62", "55", "7", "0", "100.0%"]
    # without the list, the seven survive, each printed with its place and change
    listed = course / "assignments" / "derivatives" / "equivalent_mutants.toml"
    text = listed.read_text()
    listed.unlink()
    try:
        run = dlgrade("lint", "--quick", "--prove", "-a", "derivatives", cwd=course)
    finally:
        listed.write_text(text)
    assert run.returncode == 2
    survivors = [line for line in run.stdout.splitlines() if line.startswith("SURVIVOR ")]
    assert len(survivors) == 7
    quoted = next(line.strip() for line in GUIDE.read_text().splitlines()
                  if line.strip().startswith("SURVIVOR "))
    assert quoted in survivors
