"""What an nbgrader notebook defines beyond the assignment's own functions, and
what `dlgrade nbgrader init` says when a dependency cannot be found."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.assignment import load_assignment
from autograder.errors import ConfigError
from autograder.publish.nbgrader_deps import notebook_code
from conftest import tool_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "course-extension"
IMPORT_LINE = "from neural_network import relu, softmax\n"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__",
                                                                   "student_template"))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def init(course: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder.cli", "nbgrader", "init",
                           str(tmp_path / "nb"), "-a", "mlp", "--course", str(course)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env=tool_env())


def test_imported_functions_become_cells_and_the_import_goes(course: Path) -> None:
    code = notebook_code(course, load_assignment(course, "mlp"))
    assert list(code.functions) == ["forward_mlp"]
    assert {name: file for name, (file, _) in code.dependencies.items()} == {
        "relu": "neural_network.py", "softmax": "neural_network.py"}
    assert code.dependencies["relu"][1].startswith("def relu(Z: Array) -> Array:")
    assert IMPORT_LINE.strip() not in code.preamble
    # each import and alias once, though both files have them
    assert code.preamble.count("import numpy as np") == 1
    assert code.preamble.count("Array = NDArray[np.floating]") == 1


def test_a_dependency_of_a_dependency_is_included(course: Path) -> None:
    edit(course / "solutions" / "neural_network.py", "    return np.maximum(0, Z)\n",
         "    return np.maximum(0, Z) + 0.0 * softmax(np.zeros((1, 1)))[0, 0]\n")
    edit(course / "solutions" / "mlp.py", IMPORT_LINE, "from neural_network import relu\n")
    edit(course / "solutions" / "mlp.py", "return softmax(", "return relu(")
    code = notebook_code(course, load_assignment(course, "mlp"))
    assert list(code.dependencies) == ["relu", "softmax"]


def test_init_names_a_function_missing_from_the_imported_file(course: Path,
                                                               tmp_path: Path) -> None:
    edit(course / "solutions" / "mlp.py", IMPORT_LINE,
         "from neural_network import relu, softmax, tanh\n")
    edit(course / "solutions" / "mlp.py", "return softmax(", "return tanh(")
    with pytest.raises(ConfigError) as caught:
        notebook_code(course, load_assignment(course, "mlp"))
    assert str(caught.value) == (
        "solutions/mlp.py imports 'tanh' from neural_network.py, but "
        "solutions/neural_network.py defines no such public function: the notebook would "
        "lack it")
    run = init(course, tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert str(caught.value) in run.stderr
    assert not (tmp_path / "nb").exists()


def test_init_refuses_an_import_of_a_file_submit_does_not_name(course: Path,
                                                               tmp_path: Path) -> None:
    (course / "solutions" / "layers.py").write_text("def dense(X, W):\n    return X @ W\n")
    edit(course / "solutions" / "mlp.py", IMPORT_LINE, IMPORT_LINE + "from layers import dense\n")
    run = init(course, tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert ("solutions/mlp.py:15: imports from layers.py, which the assignment's submit "
            "list does not name") in run.stderr
