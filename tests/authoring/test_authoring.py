"""Nothing is hard-coded to Part 3.2: help texts, next steps, hints and stub
messages follow the course's actual assignments and the check that fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.cli_options import assignments_here


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # wide enough that no table cell wraps a message
    env = {**os.environ, "COLUMNS": "1000"}
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_assignment_help_lists_the_assignments_found_here(repo: Path, tmp_path: Path) -> None:
    assert assignments_here(repo) == ["activations", "toolkit"]
    assert assignments_here(repo / "student_template") == ["activations", "toolkit"]
    # a student template of another course: its own assignments
    for name in ("mlp", "backprop"):
        (tmp_path / "tests" / name).mkdir(parents=True)
        (tmp_path / "tests" / name / "assignment.toml").write_text("")
    run = dlgrade("check", "--help", cwd=tmp_path)
    assert run.returncode == 0
    assert "(here: backprop, mlp)" in " ".join(run.stdout.split())
    assert "activations" not in run.stdout
    # nowhere near a course: say how to list them
    empty = tmp_path / "empty"
    empty.mkdir()
    run = dlgrade("grade", "--help", cwd=empty)
    assert "(run from the course root or your template to list them)" \
        in " ".join(run.stdout.split())


def test_nbgrader_init_prints_the_real_next_commands(repo: Path, tmp_path: Path) -> None:
    run = dlgrade("nbgrader", "init", str(tmp_path / "nb"), "--course", str(repo), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == (
        f"next: cd {tmp_path / 'nb'} && nbgrader generate_assignment activations && "
        "nbgrader generate_assignment toolkit")


IN_PLACE = {
    "relu": "def relu(Z):\n    Z[Z < 0] = 0\n    return Z\n",
    "softmax": ("def softmax(Z):\n    Z -= np.max(Z, axis=1, keepdims=True)\n"
                "    e = np.exp(Z)\n    return e / np.sum(e, axis=1, keepdims=True)\n"),
}


def _with(reference: str, function: str, code: str) -> str:
    """``reference`` with ``function`` redefined at the end of the file."""
    return reference + "\n\n" + code


def test_hints_come_from_the_check_that_fails(repo: Path, reference_source: str,
                                              tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for function, code in IN_PLACE.items():
        (subs / f"{function}_in_place.py").write_text(_with(reference_source, function, code))
    run = dlgrade("grade", str(subs), "-a", "activations", "-o", str(tmp_path / "out"),
                  cwd=repo)
    assert run.returncode == 0, run.stderr

    def message(student: str, check: str) -> str:
        results = json.loads((tmp_path / "out" / student / "results.json").read_text())
        return next(t["output"] for t in results["tests"] if t["name"].startswith(check))

    def feedback(student: str) -> str:  # graded feedback shows the hint too
        return (tmp_path / "out" / student / "feedback.md").read_text()

    relu = message("relu_in_place", "relu_does_not_modify_input")
    softmax = message("softmax_in_place", "softmax_does_not_modify_input")
    assert "relu changed the array you passed in" in relu
    assert "softmax changed the array you passed in" in softmax
    # the hint is level two: not in results.json's message, in the graded feedback
    assert "Z[Z < 0]" not in relu
    assert "avoid `Z[Z < 0] = 0` on Z itself" in feedback("relu_in_place")
    assert "`Z -= np.max(Z, axis=1, keepdims=True)` shifts Z itself" in feedback(
        "softmax_in_place")
    assert "Z[Z < 0]" not in feedback("softmax_in_place")  # relu's hint is not everyone's


def test_a_stub_dependency_is_named(repo: Path, reference_source: str, tmp_path: Path) -> None:
    # forward_perceptron is written, the sigmoid it calls is still the stub
    stub = 'def sigmoid(Z):\n    raise NotImplementedError("Write sigmoid here")\n'
    student = tmp_path / "neural_network.py"
    student.write_text(_with(reference_source, "sigmoid", stub))
    run = dlgrade("check", str(student), "-a", "toolkit", "--course", str(repo), cwd=tmp_path)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    # each failed check: "  FAIL <check>", then its message on the next line
    rows = {line.split("FAIL", 1)[1].strip(): lines[i + 1].strip()
            for i, line in enumerate(lines) if line.lstrip().startswith("FAIL ")}
    # the caller's checks name the stub it depends on; the stub itself is listed as unwritten
    assert rows["fp_small_example"].startswith("sigmoid is not written yet, and "
                                               "forward_perceptron calls it: write sigmoid first")
    assert any(line.startswith("Functions not written yet") and line.endswith(": sigmoid")
               for line in lines)
    assert "forward_perceptron is not written yet" not in run.stdout

