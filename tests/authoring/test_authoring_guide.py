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
import zipfile
from pathlib import Path

import pytest

from autograder.authoring.lint import run_cells

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
STEP = re.compile(r"<!-- guide: (create|append) (\S+) -->\n```\w*\n(.*?)```", re.S)
EXAMPLE = re.compile(r"<!-- guide: example (\S+) -->\n```\w*\n(.*?)```", re.S)
POINTS = {"relu_derivative": 5.0, "sigmoid_derivative": 6.0}


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
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
    # reference, toml, README, 2 public, 2 hidden, mistakes
    assert len(steps) == 8
    for action, relative, text in steps:
        path = root / relative
        assert (action == "append") == path.exists(), relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a" if action == "append" else "w", encoding="utf-8") as handle:
            handle.write(text)
    return root


def test_the_notebook_defines_the_imported_sigmoid(course: Path) -> None:
    # the guide's reference calls sigmoid from the other file: the notebook defines it
    from autograder.course.assignment import load_assignment
    from autograder.publish.nbgrader_deps import notebook_code

    source = (course / "solutions" / "derivatives.py").read_text()
    assert "from neural_network import sigmoid\n" in source
    assert "    s = sigmoid(Z)\n" in source
    assignment = load_assignment(course, "derivatives")
    assert list(assignment.submit_files) == ["neural_network.py", "derivatives.py"]
    assert list(notebook_code(course, assignment).dependencies) == ["sigmoid"]

    # a name the notebook cannot find stops nbgrader init, named, in one line
    solution = course / "solutions" / "derivatives.py"
    solution.write_text(source.replace("import sigmoid\n", "import sigmoid, sigmoid_prime\n")
                        .replace("s = sigmoid(Z)", "s = sigmoid_prime(Z)"))
    try:
        run = dlgrade("nbgrader", "init", str(course.parent / "broken"), "-a", "derivatives",
                      cwd=course)
    finally:
        solution.write_text(source)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "sigmoid_prime" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_the_guide_walk_through(course: Path, tmp_path: Path) -> None:
    # static lint first: the new assignment's markers and points are right
    run = dlgrade(*in_guide("dlgrade lint --quick").split()[1:], cwd=course)
    assert run.returncode == 0, run.stdout
    assert "derivatives (8 checks)" in run.stdout
    # full lint before generate: only the template is stale
    run = dlgrade("lint", "-a", "derivatives", cwd=course)
    assert run.returncode == 2
    assert all("run `dlgrade generate`" in line for line in run.stdout.splitlines())
    assert "student_template/derivatives.py:" in run.stdout

    assert dlgrade(*in_guide("dlgrade generate").split()[1:], cwd=course).returncode == 0
    template = course / "student_template"
    stub = (template / "derivatives.py").read_text()
    assert 'raise NotImplementedError("Write relu_derivative here")' in stub
    assert 'raise NotImplementedError("Write sigmoid_derivative here")' in stub
    assert "(Z > 0).astype(float)" not in stub  # the solution is not handed out
    # the docstring for students and the import from the other file are handed out
    assert stub.startswith('"""derivatives.py: ')
    assert "from neural_network import sigmoid\n" in stub
    toolkit = (template / "neural_network.py").read_text()
    assert 'raise NotImplementedError("Write sigmoid here")' in toolkit
    assert "def relu_derivative" not in toolkit
    shipped = sorted(p.name for p in (template / "tests" / "derivatives").iterdir())
    assert shipped == ["README.md", "assignment.toml", "test_relu_derivative.py",
                       "test_sigmoid_derivative.py"]  # public checks only
    assert "dlgrade check -a derivatives" in (template / "README.md").read_text()

    # full lint: the reference gets full marks in the sandbox and the notebook
    run = dlgrade(*in_guide("dlgrade lint -a derivatives").split()[1:], cwd=course)
    assert run.returncode == 0, run.stdout
    assert run.stdout.startswith("lint OK: derivatives (8 checks): ")

    # dlgrade check: the reference passes; the template's stubs fail, kindly
    run = dlgrade(*in_guide("dlgrade check solutions -a derivatives --course .").split()[1:],
                  cwd=course)
    assert run.returncode == 0, run.stdout
    work = tmp_path / "work"
    shutil.copytree(template, work)
    run = dlgrade("check", "-a", "derivatives", cwd=work)
    assert run.returncode == 1
    first = (f"Checking {work / 'neural_network.py'} and {work / 'derivatives.py'} against "
             "the public checks of 'derivatives' (Derivatives of relu and sigmoid)")
    assert run.stdout.splitlines()[0] == first
    # the functions not written yet share one line
    assert any(line.startswith("Functions not written yet") and "relu_derivative" in line
               for line in run.stdout.splitlines()), run.stdout
    # the template filled with both reference files: every public check passes
    for name in ("neural_network.py", "derivatives.py"):
        shutil.copy(course / "solutions" / name, work / name)
    run = dlgrade("check", "-a", "derivatives", cwd=work)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == first
    assert "3 of 3 public checks passed (6/6 points)." in run.stdout

    # dlgrade grade: the reference 11/11, the stubs 0, a known mistake named
    subs = tmp_path / "subs"
    toolkit_ref = (course / "solutions" / "neural_network.py").read_text()
    reference = (course / "solutions" / "derivatives.py").read_text()
    students = {
        "reference": reference,
        "stub": stub,
        "at_zero": reference + "\n\ndef relu_derivative(Z):\n"
                               "    return (Z >= 0).astype(float)\n",
        "no_slope": reference + "\n\ndef sigmoid_derivative(Z):\n"
                                "    return sigmoid(Z)\n",
    }
    for student, text in students.items():
        (subs / student).mkdir(parents=True)
        (subs / student / "derivatives.py").write_text(text)
        (subs / student / "neural_network.py").write_text(
            toolkit if student == "stub" else toolkit_ref)
    (subs / "lone.py").write_text(reference)  # derivatives.py without neural_network.py
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:  # both files, inside a folder
        zf.writestr("work/neural_network.py", toolkit_ref)
        zf.writestr("work/derivatives.py", reference)
    out = tmp_path / "out"
    assert in_guide("dlgrade grade SUBMISSIONS -a derivatives -o OUT")
    run = dlgrade("grade", str(subs), "-a", "derivatives", "-o", str(out), cwd=course)
    assert run.returncode == 0, run.stderr
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert (rows["reference"]["total"], rows["reference"]["max_total"]) == ("11", "11")
    assert rows["zipped"]["total"] == "11"
    assert rows["stub"]["total"] == "0"
    assert rows["lone"]["total"] == "0"
    assert rows["at_zero"]["total"] == "9"  # only the check with Z == 0 in it fails
    results = json.loads((out / "at_zero" / "results.json").read_text())
    failed = [t for t in results["tests"] if t["score"] < t["max_score"]]
    assert [t["name"] for t in failed] == ["relu_derivative_small_matrix"]
    assert ("Likely cause: relu_derivative gives slope 1 at Z == 0 too (it compares with "
            "Z >= 0)." in failed[0]["output"])
    assert "Z > 0" not in failed[0]["output"]  # the fix is the hint, in feedback.md
    assert any("Hint:" in line and "The slope at 0 is 0: compare with Z > 0." in line
               for line in (out / "at_zero" / "feedback.md").read_text().splitlines())
    # the sigmoid instead of its slope: every sigmoid_derivative point lost, relu's kept
    results = json.loads((out / "no_slope" / "results.json").read_text())
    lost = {t["name"]: t for t in results["tests"] if t["score"] < t["max_score"]}
    assert rows["no_slope"]["total"] == "5"
    assert {t["tags"][0] for t in lost.values()} == {"sigmoid_derivative"}
    assert ("Likely cause: sigmoid_derivative returns the sigmoid itself, not its slope."
            in lost["sigmoid_derivative_at_zero"]["output"])

    # dlgrade nbgrader init: the notebook defines sigmoid and gives the reference full marks
    nbformat = pytest.importorskip("nbformat")
    assert in_guide("dlgrade nbgrader init ~/dl101 -a derivatives")
    run = dlgrade("nbgrader", "init", str(tmp_path / "dl101"), "-a", "derivatives", cwd=course)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].endswith("nbgrader generate_assignment derivatives")
    notebook = nbformat.read(str(tmp_path / "dl101" / "source" / "derivatives" /
                                 "derivatives.ipynb"), as_version=4)
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells]
    assert ids.index("needed_sigmoid") < ids.index("solution_relu_derivative")
    needed = notebook.cells[ids.index("needed_sigmoid")]
    assert needed.source.startswith("def sigmoid(")
    assert not needed.metadata["nbgrader"].get("grade")  # ungraded: no points of its own
    imports = notebook.cells[ids.index("imports")].source
    assert "from neural_network import" not in imports
    scores, _, error = run_cells(notebook)
    assert error == ""
    assert scores == {f"test_{f}": p for f, p in POINTS.items()}


def test_the_guide_prove_step(course: Path) -> None:
    # step 7: the guide's checks kill every mutant of its reference
    run = dlgrade(*in_guide("dlgrade lint --quick --prove -a derivatives").split()[1:],
                  cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split()[1]: line.split()[2:7] for line in run.stdout.splitlines()
            if line.startswith("derivatives ")}
    assert rows["relu_derivative"] == ["7", "7", "0", "0", "100.0%"]
    assert rows["sigmoid_derivative"] == ["24", "24", "0", "0", "100.0%"]
    assert run.stdout.splitlines()[-1].startswith("31 mutants of solutions/derivatives.py ")
    # the line the guide's SURVIVOR example replaces is the reference's line 42
    lines = (course / "solutions" / "derivatives.py").read_text().splitlines()
    assert lines[41] == "    s = sigmoid(Z)"


def test_the_guide_equivalent_mutants(course: Path) -> None:
    # step 7's variant: sigmoid computed inline on line 42 leaves seven equivalent mutants
    text = GUIDE.read_text()
    quoted = next(line.strip() for line in text.splitlines()
                  if line.strip().startswith("SURVIVOR "))
    inline = next(line.strip()[2:] for line in text.splitlines()
                  if line.strip().startswith("- s = 1.0 / (1.0 + np.exp("))
    [(relative, listed)] = EXAMPLE.findall(text)
    solution = course / "solutions" / "derivatives.py"
    source = solution.read_text()
    solution.write_text(source.replace("    s = sigmoid(Z)\n", f"    {inline}\n"))
    try:
        run = dlgrade("lint", "--quick", "--prove", "-a", "derivatives", cwd=course)
        (course / relative).write_text(listed)
        run_listed = dlgrade("lint", "--quick", "--prove", "-a", "derivatives", cwd=course)
    finally:
        solution.write_text(source)
        (course / relative).unlink(missing_ok=True)
    # without the list, the seven survive, each printed with its place and change
    assert run.returncode == 2
    survivors = [line for line in run.stdout.splitlines() if line.startswith("SURVIVOR ")]
    assert len(survivors) == 7
    assert quoted in survivors
    # with the guide's list, they count as equivalent and the proof passes
    assert run_listed.returncode == 0, run_listed.stdout + run_listed.stderr
    rows = {line.split()[1]: line.split()[2:7] for line in run_listed.stdout.splitlines()
            if line.startswith("derivatives ")}
    assert rows["sigmoid_derivative"] == ["62", "55", "7", "0", "100.0%"]
