"""`dlgrade check` as a student runs it: a real copy of the student template,
a real file of theirs, the real command in a subprocess, its exact output."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TOOLKIT_ORDER = ["normalize", "matrix_multiply", "sigmoid", "relu", "softmax", "mse_loss",
                 "binary_cross_entropy", "gradient_descent", "numerical_gradient",
                 "forward_perceptron"]


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def reference(repo: Path, *names: str) -> str:
    """The reference code of some toolkit functions (plus numpy)."""
    source = (repo / "solutions" / "neural_network.py").read_text()
    tree = ast.parse(source)
    parts = [ast.get_source_segment(source, node) for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name in names]
    return "import numpy as np\n\n" + "\n\n".join(p for p in parts if p) + "\n"


@pytest.fixture
def work(repo: Path, tmp_path: Path) -> Path:
    """A student's copy of the template, in a folder whose name looks like markup."""
    folder = tmp_path / "my [bold]work[/b]"
    shutil.copytree(repo / "student_template", folder)
    return folder


def test_messages_are_printed_verbatim(work: Path) -> None:
    # Student text that looks like rich markup or carries ANSI codes must show as is
    # (it used to vanish, or crash `dlgrade check` with a MarkupError).
    (work / "neural_network.py").write_text(
        "import numpy as np\n"
        "print('\\x1b[31mred [bold]loud[/bold] text')\n"
        "def relu(Z):\n"
        "    raise ValueError('oops [/b] not ready \\x1b[0m')\n"
        "def softmax(Z):\n"
        "    e = np.exp(Z)\n"
        "    totals = e.sum(axis=1, keepdims=True)\n"
        "    row = slice(None) if Z.shape[0] < 4 else 7\n"
        "    return e / totals[row]\n")
    proc = dlgrade("check", "-a", "activations", cwd=work)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "Traceback" not in out + proc.stderr
    assert "relu raised ValueError: oops [/b] not ready ?[0m" in out  # ESC shown as ?
    assert "[nan, nan, nan, nan, nan, nan]" in out  # softmax of +-1000 without the shift
    assert "return e / totals[row]" in out  # the quoted source line, brackets kept
    assert "?[31mred [bold]loud[/bold] text" in out  # what the code printed
    assert "\x1b" not in out
    assert str(work / "neural_network.py") in out  # the folder's name, brackets kept


def test_first_line_names_the_file_and_the_assignment(work: Path, repo: Path) -> None:
    shutil.copy(repo / "solutions" / "neural_network.py", work / "neural_network.py")
    proc = dlgrade("check", cwd=work)
    assert proc.returncode == 0, proc.stdout
    first = proc.stdout.splitlines()[0]
    assert first == (f"Checking {work / 'neural_network.py'} against the public checks of "
                     "'toolkit' (Part 3.2: The neural_network.py toolkit)")
    assert "10 of 10 functions pass their public checks." in proc.stdout


def test_a_misnamed_file_is_named_instead_of_checking_the_notebook(work: Path) -> None:
    (work / "neural_network.py").rename(work / "neural_network (1).py")
    proc = dlgrade("check", cwd=work)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"dlgrade: error: no neural_network.py in {work}: found 'neural_network (1).py' — "
        "rename it to neural_network.py")
    assert proc.stdout == ""


def test_no_checks_here_says_where_to_run_without_jargon(tmp_path: Path) -> None:
    proc = dlgrade("check", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--course" not in proc.stderr and "Traceback" not in proc.stderr
    assert "run dlgrade check inside your copy of the student template" in proc.stderr


@pytest.mark.parametrize("below", ["tests", "tests/toolkit"])
def test_the_course_is_found_from_a_folder_below(work: Path, repo: Path, below: str) -> None:
    shutil.copy(repo / "solutions" / "neural_network.py", work / "neural_network.py")
    proc = dlgrade("check", cwd=work / below)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"Checking {work / 'neural_network.py'} ")


def test_work_in_progress_is_short_in_course_order_with_progress(work: Path, repo: Path) -> None:
    # normalize and matrix_multiply written, relu wrong, the rest still stubs
    stubs = (work / "neural_network.py").read_text()
    (work / "neural_network.py").write_text(
        stubs + "\n\n" + reference(repo, "normalize", "matrix_multiply")
        + "\n\ndef relu(Z):\n    return np.abs(Z)\n")
    proc = dlgrade("check", cwd=work)
    out = proc.stdout
    assert proc.returncode == 1
    # one line for every unwritten function, in the course's order
    assert out.lower().count("not written yet") == 1
    assert ("Functions not written yet (they raise NotImplementedError): sigmoid, softmax, "
            "mse_loss, binary_cross_entropy, gradient_descent, numerical_gradient, "
            "forward_perceptron"
            in out)
    # functions in the course's order, not alphabetical
    shown = [f for f in re.findall(r"^(\w+) +\d+/\d+ points", out, flags=re.M)]
    assert shown == ["normalize", "matrix_multiply", "relu"]
    assert "2 of 10 functions pass their public checks; next: sigmoid" in out
    assert len(out.splitlines()) < 40


def test_a_file_that_does_not_load_gives_one_message(work: Path) -> None:
    (work / "neural_network.py").write_text("import numpy as np\nraise RuntimeError('no')\n")
    proc = dlgrade("check", cwd=work)
    out = proc.stdout
    assert proc.returncode == 1
    assert out.count("RuntimeError: no") == 1
    assert "Your file could not be loaded: RuntimeError: no (neural_network.py, line 2" in out
    assert "could not be checked" not in out and "FAIL" not in out
    assert re.search(r"None of the \d+ public checks could run\.", out)


def test_a_hang_at_load_hints_at_top_level_code(work: Path) -> None:
    (work / "neural_network.py").write_text("import numpy as np\nwhile True:\n    pass\n")
    proc = dlgrade("check", "-a", "activations", cwd=work)
    out = proc.stdout
    assert proc.returncode == 1
    assert out.count("did not finish") == 1 and "FAIL" not in out
    assert 'if __name__ == "__main__":' in out


def test_paths_are_the_students_own(work: Path) -> None:
    (work / "neural_network.py").write_text(
        "import os\nimport numpy as np\ndef relu(Z):\n"
        "    return np.loadtxt(os.path.join(os.path.dirname(__file__), 'data.csv'))\n")
    proc = dlgrade("check", "-a", "activations", cwd=work)
    out = proc.stdout
    assert f"{work / 'data.csv'} not found" in out
    assert "/home/student" not in out and "dlgrade-student-" not in out


def test_indices_refer_to_the_students_array(work: Path) -> None:
    # positive values scaled: "relu(Z) where Z > 0" used to index the filtered values
    (work / "neural_network.py").write_text(
        "import numpy as np\ndef relu(Z):\n    return np.where(Z > 0, 1.5 * Z, 0.0)\n")
    proc = dlgrade("check", "-a", "activations", cwd=work)
    found = re.search(r"relu\(Z\) where Z > 0 is wrong in (\d+) of (\d+) entries; first at "
                      r"index \((\d+), (\d+)\)", proc.stdout)
    assert found, proc.stdout
    assert found.group(1) == found.group(2)


def test_hints_come_second_and_on_request(work: Path) -> None:
    (work / "neural_network.py").write_text(
        "import numpy as np\ndef relu(Z):\n    return np.maximum(0, Z)\n"
        "def softmax(Z):\n    e = np.exp(Z)\n    return e / e.sum(axis=1, keepdims=True)\n")
    first = dlgrade("check", "-a", "activations", cwd=work).stdout
    assert "softmax(Z) for scores of +-1000 contains 6 nan/inf value(s)" in first
    assert "maximum" not in first  # the fix is not handed over in the first message
    assert "dlgrade check --hints" in first
    second = dlgrade("check", "-a", "activations", "--hints", cwd=work).stdout
    assert "Hint: np.exp(1000) overflows: subtract each row's maximum first." in second


def test_a_diverging_loss_is_described_not_blamed_on_the_sign(work: Path, repo: Path) -> None:
    code = reference(repo, "gradient_descent")
    wrong = code.replace("X_batch.T @ error / X_batch.shape[0]",
                         "X_batch.T @ error * X_batch.shape[0]")
    assert wrong != code
    stubs = (work / "neural_network.py").read_text()
    (work / "neural_network.py").write_text(stubs + "\n\n" + wrong)
    out = dlgrade("check", "--hints", cwd=work).stdout
    assert re.search(r"the loss should go down during training, but it grew from \S+ to \S+ "
                     r"\(a factor of about 10\^\d+\)", out), out
    assert "step against the gradient" not in out.split("Hint:")[0]
    assert "too big" in out  # a likely cause among others, as a hint
