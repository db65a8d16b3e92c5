"""``dlgrade nbgrader init``: the generated nbgrader course and its notebooks."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from click.testing import CliRunner

from autograder.course.assignment import list_assignments, load_assignment
from autograder.cli import _Group
from autograder.cli_nbgrader import nbgrader_group
from autograder.publish.nbgrader_course import build_notebook, init_course, split_solution
from autograder.grading.session import run_session
from autograder.course.submission import Submission
from conftest import NBGRADER, tool_env

WRONG_AXIS = '''
def softmax(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
'''


def _meta(cell: Any) -> dict[str, Any]:
    return dict(cell.metadata.get("nbgrader", {}))


def run_notebook(nb: Any, replace: dict[str, str] | None = None) -> dict[str, float]:
    """Run a notebook's code cells in one namespace, as a kernel would.

    ``replace`` maps a function to the code put in its solution cell. Returns
    {grade_id: score} of the test cells (the value of their last line).
    """
    namespace: dict[str, Any] = {"__name__": "__main__"}
    scores = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        source = cell.source
        name = meta.get("grade_id", "").removeprefix("solution_")
        if meta.get("solution") and replace and name in replace:
            source = replace[name]
        if meta.get("grade"):
            body, last = source.rstrip().rsplit("\n", 1)
            exec(compile(body, meta["grade_id"], "exec"), namespace)
            scores[meta["grade_id"]] = eval(last, namespace)
        else:
            exec(compile(source, meta.get("grade_id", "cell"), "exec"), namespace)
    return scores


@pytest.fixture(scope="module")
def activations_nb(repo: Path) -> Any:
    return build_notebook(repo, load_assignment(repo, "activations"))


def test_init_writes_config_and_one_notebook_per_assignment(tmp_path: Path, repo: Path) -> None:
    written = init_course(tmp_path / "course", course_root=repo, course_id="dl101",
                          exchange=tmp_path / "exchange")
    config = (tmp_path / "course" / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.course_id = 'dl101'" in config
    assert f"c.Exchange.root = {str((tmp_path / 'exchange').resolve())!r}" in config
    compile(config, "nbgrader_config.py", "exec")  # nbgrader executes it
    # one source notebook per assignment (default: all), valid nbformat
    expected = [tmp_path / "course" / "source" / a / f"{a}.ipynb" for a in list_assignments(repo)]
    assert written[1:] == expected
    for path in expected:
        nbformat.validate(nbformat.read(str(path), as_version=4))


def test_notebook_layout(activations_nb: Any, repo: Path) -> None:
    cells = {_meta(c)["grade_id"]: c for c in activations_nb.cells}
    assert len(cells) == len(activations_nb.cells)  # grade ids are unique
    assert cells["intro"].source.startswith("# Part 3.2: Activation functions")
    for function in ("relu", "softmax"):
        solution, test = cells[f"solution_{function}"], cells[f"test_{function}"]
        # the solution cell: the reference function, body fenced, docstring kept
        assert _meta(solution) | {"grade_id": ""} == {
            "grade": False, "grade_id": "", "locked": False, "schema_version": 3,
            "solution": True}
        assert solution.source.startswith(f"def {function}(")
        assert "### BEGIN SOLUTION" in solution.source and '"""' in solution.source
        # the test cell: worth the function's points; hidden checks fenced
        assert _meta(test)["grade"] and _meta(test)["locked"] and not _meta(test)["solution"]
        assert _meta(test)["points"] == 10
        public, hidden = test.source.split("### BEGIN HIDDEN TESTS")
        assert "### END HIDDEN TESTS" in hidden and "hidden=True" not in public
        assert "@pytest" not in test.source and "pytestmark" not in test.source
        ast.parse(test.source)
    # only the assignment's functions: the other solutions are not given away
    assert "def sigmoid" not in "".join(c.source for c in activations_nb.cells)


def test_notebook_runs_the_same_checks_as_the_grader(activations_nb: Any, repo: Path,
                                                     reference_source: str) -> None:
    # every check of dlgrade, under the same id, points and visibility
    results: list[Any] = []
    wrong = reference_source.replace("axis=1", "axis=0")
    run_session(assignment=load_assignment(repo, "activations"), emit=results.append,
                submissions=[Submission("ref", "py", files={"neural_network.py": reference_source}),
                             Submission("axis", "py", files={"neural_network.py": wrong})])
    text = "".join(c.source for c in activations_nb.cells)
    runs = re.findall(r"checks\.run\(\w+, '([^']+)', points=([\d.]+)(, hidden=True)?", text)
    assert sorted((i, float(p), bool(h)) for i, p, h in runs) == sorted(
        (c.check, c.max_points, c.visibility == "hidden") for c in results[0].checks)

    # the reference gets full marks in the notebook; the wrong axis loses exactly the
    # softmax points dlgrade takes off (same checks, same seeded inputs)
    assert run_notebook(activations_nb) == {"test_relu": 10, "test_softmax": 10}
    softmax_points = sum(c.points for c in results[1].checks if c.function == "softmax")
    assert softmax_points < 10
    assert run_notebook(activations_nb, {"softmax": WRONG_AXIS}) == {
        "test_relu": 10, "test_softmax": softmax_points}


# discovered, not listed: a new assignment is guarded the moment it exists
@pytest.mark.parametrize("assignment", list_assignments(Path(__file__).resolve().parents[2]))
def test_every_assignment_notebook_gives_stubs_nothing(repo: Path, assignment: str) -> None:
    # (that the reference gets full marks in it: tests/authoring/test_reference.py)
    loaded = load_assignment(repo, assignment)
    nb = build_notebook(repo, loaded)
    # stubs (what nbgrader hands out) earn nothing
    stubs = {f: f"def {f}(*args, **kwargs):\n    raise NotImplementedError()\n"
             for f in loaded.functions}
    assert set(run_notebook(nb, stubs).values()) == {0}


def test_split_solution_keeps_fences_and_drops_future_import(reference_source: str) -> None:
    toolkit = split_solution(reference_source)
    assert "from __future__" not in toolkit.preamble
    assert "import numpy as np" in toolkit.preamble and "def _identity" in toolkit.preamble
    assert all(code.rstrip().endswith("### END SOLUTION") for code in toolkit.functions.values())


def test_cli_init(tmp_path: Path, repo: Path) -> None:
    cli = _Group(commands={"nbgrader": nbgrader_group})
    result = CliRunner().invoke(cli, ["nbgrader", "init", str(tmp_path / "c"), "-a",
                                      "activations", "--course", str(repo)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c" / "source" / "activations" / "activations.ipynb").is_file()
    assert not (tmp_path / "c" / "source" / "toolkit").exists()
    # a user error is one line and a non-zero exit
    result = CliRunner().invoke(cli, ["nbgrader", "init", str(tmp_path / "d"), "-a", "nope",
                                      "--course", str(repo)])
    assert result.exit_code != 0 and "unknown assignment 'nope'" in result.output


def test_importing_autograder_does_not_import_nbgrader() -> None:
    code = ("import sys, autograder.cli, autograder.cli_nbgrader, "
            "autograder.publish.nbgrader_bridge, "
            "autograder.publish.nbgrader_course; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nbgrader', 'nbformat')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- with nbgrader itself


def _nbgrader(args: list[str], cwd: Path, home: Path) -> str:
    env = tool_env(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
                   JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    proc = subprocess.run([*NBGRADER, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_nbgrader_generates_and_validates(tmp_path: Path, repo: Path) -> None:
    course = tmp_path / "course"
    init_course(course, course_root=repo, assignments=["activations"], course_id="dl101",
                exchange=tmp_path / "exchange")
    _nbgrader(["generate_assignment", "activations"], course, tmp_path / "home")
    released = course / "release" / "activations" / "activations.ipynb"
    text = released.read_text()
    # solutions and hidden checks are stripped; public checks stay
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    for hidden in load_assignment(repo, "activations").hidden_dir.glob("test_*.py"):
        for name in re.findall(r"^def (test_\w+)", hidden.read_text(), re.M):
            assert name not in text
    assert "np.maximum(0, Z)" not in text and "keepdims=True)\n    exp_scores" not in text
    assert "test_softmax_rows_sum_to_one" in text and "raise NotImplementedError()" in text
    # the reference passes nbgrader validate; the stubs fail it
    source = course / "source" / "activations" / "activations.ipynb"
    assert "Success! Your notebook passes all the tests." in _nbgrader(
        ["validate", str(source)], course, tmp_path / "home")
    assert "VALIDATION FAILED ON 2 CELL(S)" in _nbgrader(
        ["validate", str(released)], course, tmp_path / "home")


def test_setup_cell_is_the_runtime_files_verbatim(activations_nb: Any, repo: Path) -> None:
    setup = next(c for c in activations_nb.cells if c.get("id") == "dlgrade-setup").source
    runtime = repo / "autograder" / "runtime"
    for path in (runtime / "nbsetup.py", runtime / "checkrun.py", repo / "autograder/checklib.py",
                 repo / "autograder/sandbox/helpers.py"):
        assert path.read_text().strip() in setup, f"{path.name} is not in the setup cell verbatim"
    # a stub's test cell says what the grader says: not written yet
    stub = "def relu(Z):\n    raise NotImplementedError()\n"
    cells = [setup, stub, "checks = Checks('relu', points=10)\n"
             "checks.run(lambda student, expect: student.relu(1), 'relu_probe', points=3)\n"
             "print(checks.score())"]
    kernel = ("import json, sys\nnamespace = {'__name__': '__main__'}\n"
              "for i, cell in enumerate(json.load(sys.stdin)):\n"
              "    exec(compile(cell, f'<cell {i}>', 'exec'), namespace)\n")
    out = subprocess.run([sys.executable, "-c", kernel], input=json.dumps(cells),
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.splitlines() == [
        "FAIL  relu_probe  (0/3)",
        # (a kernel also shows the line's code: IPython keeps cells in linecache)
        "      relu is not written yet: it raises NotImplementedError (your cell, line 2)",
        "relu: 0 of 3 check points", "0.0"]


@pytest.mark.parametrize("args", [["nbgrader", "init", "course"],
                                  ["grade", "subs", "-a", "activations", "-o", "out",
                                   "--to-nbgrader"]])
def test_without_nbgrader_one_line_says_what_to_install(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "subs").mkdir()
    hide = ("import sys; sys.modules['nbgrader'] = None; from autograder.cli import main; "
            "main(sys.argv[1:])")
    out = subprocess.run([sys.executable, "-c", hide, *args], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == ("dlgrade: error: nbgrader is not installed; for dlgrade's nbgrader "
                          "commands: pip install 'dlgrade[nbgrader]'\n")
    assert not (tmp_path / "course").exists() and not (tmp_path / "out").exists()
