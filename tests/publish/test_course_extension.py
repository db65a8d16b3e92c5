"""The example course of examples/course-extension/, end to end: a two-file part.

``forward_mlp`` lives in ``mlp.py`` and calls ``relu`` and ``softmax`` from
``neural_network.py``; ``submit = ["neural_network.py", "mlp.py"]``. Every
command runs for real on a copy of the folder: lint (and its mutation proof),
generate, check on the filled template, grade (folder, zip, a lone file, a
bug, a notebook), and nbgrader init + generate_assignment + autograde.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.course.fences import BEGIN, END, split_solution
from autograder.publish.template import template_files
from conftest import NBGRADER, tool_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "course-extension"
DLGRADE = [sys.executable, "-m", "autograder.cli"]
TITLE = "Example part: a two-layer forward pass (forward_mlp)"
# Run pytest with dlgrade made unimportable: the template must not need it.
NO_DLGRADE = ("import sys; sys.modules['autograder'] = None; import pytest; "
              "raise SystemExit(pytest.main(sys.argv[1:]))")


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DLGRADE, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False, env=tool_env())


def unfenced(name: str) -> dict[str, str]:
    """The reference functions of ``solutions/<name>`` without fences: right answers."""
    code = split_solution((EXAMPLE / "solutions" / name).read_text()).functions
    return {f: "\n".join(line for line in text.splitlines() if line.strip() not in (BEGIN, END))
            for f, text in code.items()}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course-extension"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_committed_example_template_is_up_to_date() -> None:
    template = EXAMPLE / "student_template"
    committed = {p.relative_to(template).as_posix(): p.read_text() for p in template.rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
    assert committed == template_files(EXAMPLE)


@pytest.mark.slow
def test_lint_and_the_mutation_report(course: Path) -> None:
    run = dlgrade("lint", "--prove", "-a", "mlp", cwd=course)
    print(run.stdout)  # the mutation report of the example
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == ("lint OK: mlp (8 checks): markers, points, tags, folders, solutions; "
                        "the reference scores full marks in the sandbox and in the nbgrader "
                        "notebook; the template is up to date")
    assert lines[2].split() == ["mlp", "forward_mlp", "22", "22", "0", "0", "100.0%"]
    assert lines[-1].startswith("22 mutants of solutions/mlp.py graded 22 times")
    # the committed report is this run's (its header line and timing aside)
    committed = (EXAMPLE / "mutation-report.txt").read_text().splitlines()[1:]
    assert committed[:-1] == lines[:-1]


def test_prove_refuses_when_the_reference_itself_fails(course: Path) -> None:
    """The unmutated reference is graded first, the way its mutants are: if it
    loses points there (here: a reference that forgets b1), no mutant can be
    judged, and prove says so instead of counting every mutant as killed."""
    solution = course / "solutions" / "mlp.py"
    right = 'hidden = relu(X @ params["W1"] + params["b1"])'
    assert right in solution.read_text()
    solution.write_text(solution.read_text().replace(right, 'hidden = relu(X @ params["W1"])'))
    run = dlgrade("lint", "--quick", "--prove", "-a", "mlp", cwd=course)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith("dlgrade: error: mutation analysis of 'mlp': the unmutated "
                                 "reference does not get full marks when graded for it "
                                 "(failing: forward_mlp_bias_before_relu")
    assert run.stderr.endswith("so no mutant could be judged\n")
    assert "Traceback" not in run.stderr and "mutants of" not in run.stdout


@pytest.mark.slow
def test_generate_then_check_the_template(course: Path) -> None:
    shutil.rmtree(course / "student_template")
    assert dlgrade("generate", cwd=course).returncode == 0
    work = course / "student_template"
    assert 'raise NotImplementedError("Write forward_mlp here")' in (work / "mlp.py").read_text()
    stubs = (work / "neural_network.py").read_text()
    assert 'raise NotImplementedError("Write relu here")' in stubs
    assert 'raise NotImplementedError("Write softmax here")' in stubs
    assert "dlgrade check -a mlp" in (work / "README.md").read_text()

    # the stubs as handed out: no -a needed, mlp is the course's only assignment
    run = dlgrade("check", cwd=work)
    assert run.returncode == 1
    first = (f"Checking {work / 'neural_network.py'} and {work / 'mlp.py'} against the "
             f"public checks of 'mlp' ({TITLE})")
    assert run.stdout.splitlines()[0] == first
    assert "Functions not written yet (they raise NotImplementedError): forward_mlp" \
        in run.stdout

    # forward_mlp written, relu and softmax still stubs: the stub is named
    (work / "mlp.py").write_text((course / "solutions" / "mlp.py").read_text())
    run = dlgrade("check", cwd=work)
    assert run.returncode == 1
    assert ("relu is not written yet, and forward_mlp calls it: write relu first "
            "(neural_network.py, line ") in run.stdout

    # both files written: full marks in dlgrade check and with plain pytest
    (work / "neural_network.py").write_text(
        (course / "solutions" / "neural_network.py").read_text())
    run = dlgrade("check", "-a", "mlp", cwd=work / "tests")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == first
    assert "3 of 3 public checks passed (5/5 points)." in run.stdout
    plain = subprocess.run([sys.executable, "-c", NO_DLGRADE, "-p", "no:cacheprovider"],
                           cwd=work, capture_output=True, text=True, timeout=300, check=False)
    assert plain.returncode == 0 and "3 passed" in plain.stdout, plain.stdout

    # mlp.py alone: says which file is missing, in one line
    (work / "neural_network.py").unlink()
    run = dlgrade("check", cwd=work)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == (f"dlgrade: error: no neural_network.py in {work}: assignment 'mlp' "
                          "checks neural_network.py and mlp.py together (mlp.py imports from "
                          "neural_network.py); put your neural_network.py beside it\n")


def notebook_submission(path: Path) -> None:
    """A student's notebook defining relu, softmax and forward_mlp in its cells."""
    cells = ["import numpy as np", *unfenced("neural_network.py").values(),
             *unfenced("mlp.py").values()]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, str(path))


@pytest.mark.slow
def test_grade_two_file_submissions(course: Path, tmp_path: Path) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    solutions = course / "solutions"
    (subs / "ref").mkdir(parents=True)
    for name in ("neural_network.py", "mlp.py"):
        shutil.copy(solutions / name, subs / "ref" / name)
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:  # both files inside a folder
        for name in ("neural_network.py", "mlp.py"):
            zf.write(solutions / name, f"work/{name}")
    (subs / "bug").mkdir()
    shutil.copy(solutions / "neural_network.py", subs / "bug" / "neural_network.py")
    source = (solutions / "mlp.py").read_text()
    right = 'hidden = relu(X @ params["W1"] + params["b1"])'
    assert right in source
    (subs / "bug" / "mlp.py").write_text(
        source.replace(right, 'hidden = relu(X @ params["W1"]) + params["b1"]'))
    shutil.copy(solutions / "mlp.py", subs / "lone.py")
    notebook_submission(subs / "nb.ipynb")

    run = dlgrade("grade", str(subs), "-a", "mlp", "-o", str(out), cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(out / "grades.csv", newline="") as fh:
        rows = {row["student"]: row for row in csv.DictReader(fh)}
    totals = {s: float(r["total"]) for s, r in rows.items()}
    assert totals == {"ref": 10, "zipped": 10, "nb": 10, "bug": 4, "lone": 0}

    def tests(student: str) -> dict[str, dict[str, str]]:
        data = json.loads((out / student / "results.json").read_text())
        return {t["name"]: t for t in data["tests"]}

    bias = tests("bug")["forward_mlp_bias_before_relu"]
    assert bias["score"] == 0
    assert bias["output"].startswith("forward_mlp(X, params) with a hidden bias of -4 is wrong")
    assert ("Likely cause: forward_mlp adds b1 after relu, so a negative bias can make hidden "
            "units negative.") in bias["output"]
    lone = tests("lone")["forward_mlp_small_example"]["output"]
    assert lone == ("your file could not be loaded: ModuleNotFoundError: No module named "
                    "'neural_network' (mlp.py, line 14: from neural_network import relu, "
                    "softmax). This assignment takes neural_network.py and mlp.py: hand them "
                    "in together (one folder or one zip).")


def _env(home: Path) -> dict[str, str]:
    for sub in ("", ".jupyter", "data", "runtime"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = tool_env()
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("JUPYTER_PATH", None)
    return env


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_nbgrader_notebook_gives_the_reference_full_marks(course: Path, tmp_path: Path) -> None:
    env = _env(tmp_path / "instructor")
    nbcourse = tmp_path / "nbcourse"
    _run([*DLGRADE, "nbgrader", "init", str(nbcourse), "-a", "mlp", "--course", str(course),
          "--course-id", "mlp101"], cwd=tmp_path, env=env)
    source = nbformat.read(str(nbcourse / "source" / "mlp" / "mlp.ipynb"), as_version=4)
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in source.cells]
    assert ids == ["intro", "imports", "dlgrade_setup", "heading_relu", "needed_relu",
                   "heading_softmax", "needed_softmax", "heading_forward_mlp",
                   "solution_forward_mlp", "test_forward_mlp"]
    imports = source.cells[1].source
    assert "from neural_network import" not in imports and "import numpy as np" in imports
    _run([*NBGRADER, "generate_assignment", "mlp"], cwd=nbcourse, env=env)
    released = nbformat.read(str(nbcourse / "release" / "mlp" / "mlp.ipynb"), as_version=4)
    text = "\n".join(cell.source for cell in released.cells)
    assert "np.maximum(0, Z)" not in text and "BEGIN HIDDEN TESTS" not in text

    # a student fills every solution cell with the reference; nbgrader grades it
    answers = {**unfenced("neural_network.py"), **unfenced("mlp.py")}
    for cell in released.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        name = grade_id.split("_", 1)[-1]
        if grade_id.startswith(("solution_", "needed_")):
            cell.source = answers[name]
    submitted = nbcourse / "submitted" / "alice" / "mlp"
    submitted.mkdir(parents=True)
    nbformat.write(released, str(submitted / "mlp.ipynb"))
    _run([*NBGRADER, "autograde", "mlp"], cwd=nbcourse, env=env)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{nbcourse / 'gradebook.db'}", course_id="mlp101") as gb:
        scores = {grade.cell.name: grade.score
                  for notebook in gb.find_submission("mlp", "alice").notebooks
                  for grade in notebook.grades}
    assert scores == {"test_forward_mlp": 10}

    # dlgrade grades the same notebook submission (one namespace) to full marks
    out = tmp_path / "out"
    _run([*DLGRADE, "grade", str(nbcourse / "submitted"), "-a", "mlp", "-o", str(out),
          "--course", str(course)], cwd=nbcourse, env=env)
    with open(out / "grades.csv", newline="") as fh:
        assert [(r["student"], float(r["total"])) for r in csv.DictReader(fh)] == [
            ("alice", 10.0)]
