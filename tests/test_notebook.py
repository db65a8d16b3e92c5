"""Checks inside the notebook: ``autograder.notebook`` and its collection of checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from autograder.course.assignment import load_assignment
from autograder.publish.template import generate_template
from autograder.publish.nbgrader_course import collect_checks, split_solution
from autograder.notebook import GRADING_NOTE, check, check_all, preload, run
from autograder.runtime.lightrun import collect_file
from autograder.selfcheck.run import self_check

COURSE = Path(__file__).resolve().parents[1]
WRONG_SOFTMAX = '''
import numpy as np


def relu(Z):
    return np.maximum(0, Z)


def softmax(Z):
    e = np.exp(Z)  # no shift: overflows at 1000
    return e / e.sum(axis=0, keepdims=True)  # and the wrong axis
'''


@pytest.fixture
def template(tmp_path: Path) -> Path:
    folder = tmp_path / "student"
    generate_template(COURSE, folder)
    return folder


def namespace_of(path: Path) -> dict[str, Any]:
    """Run a student's file as a notebook kernel would: as ``__main__``."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def reference_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile((COURSE / "solutions" / "neural_network.py").read_text(), "nn.py", "exec"),
         namespace)
    return namespace


# ---------------------------------------------------------------- collection


@pytest.mark.parametrize("assignment", ["activations", "toolkit"])
def test_collection_finds_what_pytest_finds(assignment: str) -> None:
    # every check of the course, public and hidden: same ids (so the same seeds),
    # functions, points, visibility and parameters as pytest's own collection
    loaded = load_assignment(COURSE, assignment)
    expected = [(c.id, c.function, c.points, c.hidden, c.params) for c in collect_checks(loaded)]
    found = [(c.id, c.function, c.points, c.visibility == "hidden", c.params)
             for path in loaded.check_files(hidden=True) for c in collect_file(path)]
    assert found == expected
    assert any("[" in check_id for check_id, *_ in found)  # parametrized ones are included


def test_collection_of_stacked_parametrize_matches_pytest(tmp_path: Path) -> None:
    path = tmp_path / "test_probe.py"
    path.write_text(
        "import pytest\n"
        "pytestmark = [pytest.mark.tags('relu'), pytest.mark.visibility('public')]\n"
        "@pytest.mark.points(1)\n"
        "@pytest.mark.parametrize('x', [0, 1.5])\n"
        "@pytest.mark.parametrize('y, z', [('a', None), pytest.param(2, 3, id='p')])\n"
        "def test_probe(x, y, z):\n    pass\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p",
                          "no:cacheprovider", str(path)], capture_output=True, text=True,
                         cwd=tmp_path, check=True)
    pytest_ids = [line.split("::")[1] for line in out.stdout.splitlines() if "::" in line]
    assert [f"test_{c.id}" for c in collect_file(path)] == pytest_ids
    assert len(pytest_ids) == 4


# ---------------------------------------------------------------- running


def test_stubs_are_not_written_yet_and_the_reference_passes(template: Path) -> None:
    stubs = namespace_of(template / "neural_network.py")
    report = run(("relu",), stubs, folder=template)
    assert [r.check for r in report.rows] == ["relu_course_matrix", "relu_zero_count_course",
                                              "relu_returns_a_new_array"]
    assert all(r.message.startswith("relu is not written yet: it raises NotImplementedError "
                                    "(neural_network.py, line ") for r in report.rows)
    assert report.headline() == "relu: 0 of 3 public checks pass (0/5 points)"
    shown = str(report).splitlines()  # one line for the unwritten function, not one per check
    assert shown[1] == "  FAIL  relu (3 checks)  (0/5)"
    assert shown[2].startswith("        relu is not written yet") and "FAIL" not in shown[3]
    summary = run((), stubs, folder=template, summary=True)
    assert str(summary).splitlines()[:3] == [
        "Part 3.2: Activation functions (relu and softmax): 0 of 2 functions pass their "
        "public checks; next: relu",
        "  relu                   not written yet", "  softmax                not written yet"]

    solved = reference_namespace()
    assert run(("relu", "softmax"), solved, folder=template).passed
    assert run((), solved, folder=template, summary=True).progress() == (
        "2 of 2 functions pass their public checks. Well done!")


def test_messages_are_those_of_dlgrade_check(template: Path) -> None:
    (template / "neural_network.py").write_text(WRONG_SOFTMAX)
    graded = self_check(template, assignment_id="activations")
    in_notebook = run(("relu", "softmax"), namespace_of(template / "neural_network.py"),
                      folder=template)
    assert [(r.check, r.outcome, r.message) for r in in_notebook.rows] == [
        (c.check, c.outcome, c.message) for c in graded.result.checks]
    assert not in_notebook.passed and "nan/inf" in in_notebook.rows[-1].message


def test_a_function_not_defined_yet_and_an_unknown_name(template: Path) -> None:
    report = run((), {"__name__": "__main__"}, folder=template, summary=True)
    assert report.function_status("relu") == "not defined: run the cell that defines it"
    unknown = run(("relu_typo",), {}, folder=template)
    assert unknown.problem.startswith("no public checks named 'relu_typo' (functions: ")
    assert str(unknown) == unknown.problem  # one line, no table, no traceback


def test_no_checks_found_says_where_to_open_the_notebook(tmp_path: Path) -> None:
    report = run(("relu",), {}, folder=tmp_path)
    assert report.problem.startswith(f"No checks found in '{tmp_path}' or above it")


def test_html_escapes_everything_and_says_hidden_checks_and_sandbox(template: Path) -> None:
    namespace: dict[str, Any] = {"relu": lambda Z: (_ for _ in ()).throw(
        ValueError("<b>oops</b> [/b] & more"))}
    report = run(("relu",), namespace, folder=template)
    page = report._repr_html_()
    assert "&lt;b&gt;oops&lt;/b&gt; [/b] &amp; more" in page and "<b>oops" not in page
    assert "<table>" in page and page.count("FAIL</span>") == len(report.rows) == 3
    assert "hidden checks" in GRADING_NOTE and "sandbox" in GRADING_NOTE
    assert GRADING_NOTE in str(report)


def test_check_is_silent_when_the_notebook_is_imported_or_graded(
        template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(template)  # check() looks for the checks from the current folder
    graded: dict[str, Any] = {"__name__": "neural_network", "check": check,
                              "check_all": check_all}
    exec("result = check('relu'), check_all()", graded)
    assert graded["result"] == (None, None)
    kernel: dict[str, Any] = {"__name__": "__main__", "check": check}
    exec("result = check('relu')", kernel)
    assert kernel["result"].rows[0].message.startswith("`relu` is not defined")


# ---------------------------------------------------------------- in a real kernel


def fill_in_reference(path: Path) -> None:
    """Put the reference bodies into the notebook's relu and softmax cells."""
    functions = split_solution((COURSE / "solutions" / "neural_network.py").read_text()).functions
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        if cell.get("id", "").startswith("write-"):
            code = functions[cell.id.removeprefix("write-")]
            cell.source = "\n".join(line for line in code.splitlines() if "### " not in line)
    nbformat.write(notebook, str(path))


def check_cell_texts(notebook: Any) -> dict[str, str]:
    """cell id -> the text/plain of what each check cell displayed."""
    texts = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("check"):
            shown = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert len(shown) == 1, (cell.id, cell.outputs)
            assert "<table>" in shown[0].data["text/html"]
            texts[cell.id] = shown[0].data["text/plain"]
    return texts


@pytest.mark.slow
def test_template_notebook_in_a_fresh_venv_off_path(template: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    # a fresh venv with this tree and ipykernel, never activated, its bin/ not on PATH
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(COURSE), "ipykernel"],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    kernels = tmp_path / "jupyter" / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], '
        '"display_name": "fresh venv", "language": "python"}' % python)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert shutil.which("dlgrade") is None and shutil.which("python", path="/usr/bin:/bin") \
        != str(python)

    def execute(path: Path) -> Any:
        notebook = nbformat.read(str(path), as_version=4)
        NotebookClient(notebook, kernel_name="fresh", timeout=120,
                       resources={"metadata": {"path": str(template)}}).execute()
        return notebook

    # stubs: "Run All" reaches every check cell, each says "not written yet"
    stubs = execute(template / "exercises.ipynb")
    texts = check_cell_texts(stubs)
    assert len(texts) == 7
    for cell_id, text in texts.items():
        assert "not written yet" in text, (cell_id, text)
        assert "hidden checks" in text
    errors = [c.id for c in stubs.cells if c.cell_type == "code"
              and any(o.output_type == "error" for o in c.outputs)]
    assert errors == ["exercise-1", "exercise-2", "exercise-3", "exercise-4"]  # and no other

    # the reference filled in: every check passes, no cell raises
    fill_in_reference(template / "exercises.ipynb")
    solved = execute(template / "exercises.ipynb")
    texts = check_cell_texts(solved)
    for cell_id, text in texts.items():
        if cell_id == "check-all":
            assert "2 of 2 functions pass their public checks" in text
        else:
            assert " FAIL " not in text and "public checks pass" in text, (cell_id, text)
            passed, total = text.split(": ", 1)[1].split(" public")[0].split(" of ")
            assert passed == total, text
    assert not [c.id for c in solved.cells if c.cell_type == "code"
                and any(o.output_type == "error" for o in c.outputs)]
    # full check names, no terminal colour codes
    assert "PASS  softmax_probabilities_in_range  (1/1)" in texts["check-exercise-2"]
    assert not any("\x1b[" in text for text in texts.values())

    # and this light install has no nbgrader: the nbgrader commands say what to install
    dlgrade = subprocess.run([str(venv / "bin" / "dlgrade"), "nbgrader", "init", "c"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (dlgrade.returncode, dlgrade.stderr) == (
        2, "dlgrade: error: nbgrader is not installed; for dlgrade's nbgrader commands: "
        "pip install 'dlgrade[nbgrader]'\n")


def test_preload_imports_the_check_files_once(template: Path) -> None:
    from autograder.runtime import lightrun

    files = sorted((template / "tests").glob("*/test_*.py"))
    before = set(lightrun._MODULES)
    preload(template).join(timeout=60)
    loaded = set(lightrun._MODULES) - before
    assert sorted(Path(key[0]) for key in loaded) == [f.resolve() for f in files]
    module = lightrun.load_module(files[0])
    stat = files[0].stat()
    assert module is lightrun._MODULES[(str(files[0].resolve()), stat.st_mtime_ns, stat.st_size,
                                        True)]  # pytest is imported here: the real one
    run(("relu",), {}, folder=template)
    assert set(lightrun._MODULES) - before == loaded  # check() reuses them: no second import


NOTEBOOK_RUN = '''
import sys
from pathlib import Path
from autograder.notebook import run

namespace = {"__name__": "__main__"}
exec(open("solution.py").read(), namespace)
report = run(("relu",), namespace, folder=Path("student"))
print(report.headline())
print("pytest imported:", "pytest" in sys.modules)
'''


def test_check_reads_the_checks_without_pytest_and_uses_it_when_a_check_does(
        template: Path, tmp_path: Path) -> None:
    # a kernel that never imported pytest: check() reads the checks with the light
    # reader's stand-in (no pytest import); a check using pytest.approx gets the real one
    shutil.copy(COURSE / "solutions" / "neural_network.py", tmp_path / "solution.py")
    (tmp_path / "run.py").write_text(NOTEBOOK_RUN)

    def kernel() -> list[str]:
        out = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout.splitlines()

    assert kernel() == ["relu: 3 of 3 public checks pass (5/5 points)", "pytest imported: False"]
    (template / "tests" / "activations" / "test_zz_extra.py").write_text(
        "import pytest\n"
        "pytestmark = [pytest.mark.tags('relu'), pytest.mark.visibility('public')]\n\n"
        "@pytest.mark.points(1)\n"
        "def test_relu_of_two(student):\n"
        "    assert float(student.relu(2.0)) == pytest.approx(2.0)\n")
    assert kernel() == ["relu: 4 of 4 public checks pass (6/6 points)", "pytest imported: True"]


def test_checks_it_cannot_read_exactly_give_one_clear_line(template: Path) -> None:
    # two checks with one id: pytest would refuse them; check() says so, no traceback
    (template / "tests" / "activations" / "test_zz_twice.py").write_text(
        "import pytest\n"
        "pytestmark = [pytest.mark.tags('relu'), pytest.mark.visibility('public')]\n\n"
        "@pytest.mark.points(1)\n"
        "def test_relu_course_matrix(student):\n"
        "    pass\n")
    report = run(("relu",), reference_namespace(), folder=template)
    assert report.problem == ("check() cannot run these checks here (no checks, or two checks "
                              "with the same id): run dlgrade check in a terminal, which can.")
    assert str(report) == report.problem and not report.rows
