"""``dlgrade lint``: authoring errors found in a temp copy of the course, with file
and line; ``grade``/``generate``/``nbgrader init`` refusing a broken assignment."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.assignment import list_assignments, load_assignment
from autograder.publish.nbgrader_course import collect_checks

COPIED = ("assignments", "solutions", "student_template")


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def course(tmp_path: Path, repo: Path) -> Path:
    """A private copy of the course that a test may break."""
    root = tmp_path / "course"
    for name in COPIED:
        shutil.copytree(repo / name, root / name,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new))


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``text``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_course_lints_clean(repo: Path) -> None:
    # every assignment, each with as many checks as the nbgrader collector finds; the
    # static pass only: that the reference gets full marks in the sandbox and in the
    # notebook (the full pass) is asserted once, per assignment, in test_reference.py
    counts = ", ".join(f"{a} ({len(collect_checks(load_assignment(repo, a)))} checks)"
                       for a in list_assignments(repo))
    run = dlgrade("lint", "--quick", cwd=repo)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == f"lint OK: {counts}: markers, points, tags, folders and solutions\n"


def test_missing_marker_is_named_with_file_and_line(course: Path) -> None:
    checks = course / "assignments" / "toolkit" / "hidden" / "test_relu.py"
    text = checks.read_text()
    # drop the first points marker of the file
    first = text.index("@pytest.mark.points(")
    checks.write_text(text[:first] + text[text.index("\n", first) + 1:])
    name = checks.read_text()[first:].split("def test_", 1)[1].split("(", 1)[0]
    line = line_of(checks, f"def test_{name}(")
    run = dlgrade("lint", "-a", "toolkit", cwd=course)
    assert run.returncode == 2
    # every case of a parametrized check is a check; each is named
    wanted = f"assignments/toolkit/hidden/test_relu.py:{line}: check '{name}"
    lines = run.stdout.splitlines()
    assert lines and all(entry.startswith(wanted) for entry in lines), run.stdout
    assert lines[0].endswith("has no @pytest.mark.points(...)")
    assert run.stderr.strip().endswith(f"{len(lines)} authoring error"
                                       + ("s" if len(lines) > 1 else ""))


def test_points_mismatch_names_the_toml_line_and_counts_cases(course: Path) -> None:
    toml = course / "assignments" / "activations" / "assignment.toml"
    edit(toml, "relu = 10", "relu = 12")
    run = dlgrade("lint", "-a", "activations", "--quick", cwd=course)
    assert run.returncode == 2
    # the hidden relu checks: a 3-case parametrized check at 1 point counts 3
    assert run.stdout.splitlines() == [
        f"assignments/activations/assignment.toml:{line_of(toml, 'relu = 12')}: [points] "
        "gives relu 12, but its checks are worth 10 (public/test_relu.py: 5, "
        "hidden/test_relu.py: 5; each parametrized case counts the marker's points)"]


def test_unknown_tag_is_named_with_file_and_line(course: Path) -> None:
    checks = course / "assignments" / "activations" / "hidden" / "test_softmax.py"
    edit(checks, 'pytest.mark.tags("softmax")', 'pytest.mark.tags("sofmax")')
    run = dlgrade("lint", "-a", "activations", "--quick", cwd=course)
    assert run.returncode == 2
    first = run.stdout.splitlines()[0]
    name = first.split("check '", 1)[1].split("'", 1)[0].split("[")[0]
    assert first == (f"assignments/activations/hidden/test_softmax.py:"
                     f"{line_of(checks, f'def test_{name}(')}: check '{first.split(chr(39))[1]}' "
                     "is tagged 'sofmax', which is not a function of assignment 'activations' "
                     "(tags[0] must be one of: relu, softmax)")


def test_a_cross_function_call_is_defined_in_the_notebook(course: Path) -> None:
    # relu's reference calls sigmoid, which is not a function of 'activations': its
    # nbgrader notebook now defines sigmoid too (an ungraded cell), so the reference
    # keeps full marks there. The change is inside the fence: the template is unchanged.
    edit(course / "solutions" / "neural_network.py", "    return np.maximum(0, Z)\n",
         "    return np.maximum(0, Z) + 0.0 * sigmoid(np.zeros_like(Z, dtype=float))\n")
    run = dlgrade("lint", "-a", "activations", cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("lint OK: activations (18 checks)")


def test_a_stale_template_is_caught(course: Path) -> None:
    edit(course / "assignments" / "activations" / "public" / "test_relu.py",
         '"""Public checks for relu', '"""Public checks (Part 3.2) for relu')
    run = dlgrade("lint", "-a", "activations", cwd=course)
    assert run.returncode == 2
    assert run.stdout.splitlines() == [
        "student_template/tests/activations/test_relu.py:1: out of date (differs from what "
        "`dlgrade generate` writes from this line): run `dlgrade generate`"]
    assert dlgrade("generate", cwd=course).returncode == 0
    assert dlgrade("lint", "-a", "activations", cwd=course).returncode == 0


def test_other_static_errors(course: Path) -> None:
    acts = course / "assignments" / "activations"
    # a public check marked hidden would ship to students; a duplicate check name
    # would be one grades.csv column for two checks
    edit(acts / "public" / "test_softmax.py", 'pytest.mark.visibility("public")',
         'pytest.mark.visibility("hidden")')
    hidden = acts / "hidden" / "test_relu.py"
    hidden.write_text(hidden.read_text() + "\n\n@pytest.mark.points(0)\n"
                      "def test_relu_course_matrix(student, expect):\n    pass\n")
    edit(acts / "assignment.toml", 'submit = "neural_network.py"', 'submit = "nn.py"')
    run = dlgrade("lint", "-a", "activations", "--quick", cwd=course)
    assert run.returncode == 2
    lines = run.stdout.splitlines()
    softmax_line = line_of(acts / "public" / "test_softmax.py", "def test_softmax_")
    assert any(entry.startswith(f"assignments/activations/public/test_softmax.py:"
                                f"{softmax_line}: check 'softmax_")
               and "is in public/ but marked visibility('hidden')" in entry
               for entry in lines), lines
    public_relu = acts / "public" / "test_relu.py"
    assert (f"assignments/activations/hidden/test_relu.py:"
            f"{line_of(hidden, 'def test_relu_course_matrix(')}: check "
            "'relu_course_matrix' has the same name as the one at public/test_relu.py:"
            f"{line_of(public_relu, 'def test_relu_course_matrix(')}: rename one "
            "(check names are grades.csv columns)") in lines
    assert (f"assignments/activations/assignment.toml:"
            f"{line_of(acts / 'assignment.toml', 'submit =')}: submit = 'nn.py', but there "
            "is no solutions/nn.py (the reference)") in lines


def test_grade_generate_and_init_refuse_a_broken_assignment(course: Path,
                                                            tmp_path: Path) -> None:
    checks = course / "assignments" / "activations" / "public" / "test_relu.py"
    text = checks.read_text()
    checks.write_text(re.sub(r"@pytest\.mark\.points\([^)]*\)\n(def test_relu_course_matrix\()",
                             r"\1", text))
    assert checks.read_text() != text
    message = (f"dlgrade: error: assignments/activations/public/test_relu.py:"
               f"{line_of(checks, 'def test_relu_course_matrix(')}: check "
               "'relu_course_matrix' has no @pytest.mark.points(...)")
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(course / "solutions" / "neural_network.py", subs / "ann.py")
    runs = {
        "grade": dlgrade("grade", str(subs), "-a", "activations", "-o", str(tmp_path / "out"),
                         cwd=course),
        "generate": dlgrade("generate", cwd=course),
        "init": dlgrade("nbgrader", "init", str(tmp_path / "nb"), "-a", "activations",
                        cwd=course),
    }
    for command, run in runs.items():
        # a usage error (2), never "a grading process failed to start" (3)
        assert run.returncode == 2, (command, run.stderr)
        assert run.stderr.splitlines()[0] == message, (command, run.stderr)
        assert "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
    assert not (tmp_path / "nb").exists()
    # the toolkit assignment is not broken: grading it still works
    ok = dlgrade("grade", str(subs), "-a", "toolkit", "-o", str(tmp_path / "out2"), cwd=course)
    assert ok.returncode == 0, ok.stderr


def test_an_import_error_and_a_bad_marker_value(course: Path) -> None:
    hidden = course / "assignments" / "activations" / "hidden"
    edit(hidden / "test_relu.py", "import numpy as np\n", "import numpy as np\nimport nosuch\n")
    (hidden / "test_extra.py").write_text(
        'import pytest\n\npytestmark = [pytest.mark.tags("relu"), '
        'pytest.mark.visibility("hidden")]\n\n\n@pytest.mark.points("two")\n'
        "def test_relu_extra(student):\n    pass\n")
    run = dlgrade("lint", "--quick", "-a", "activations", cwd=course)
    assert run.returncode == 2
    assert run.stdout.splitlines() == [
        f"assignments/activations/hidden/test_relu.py:{line_of(hidden / 'test_relu.py', 'nosuch')}"
        ": cannot be collected: ModuleNotFoundError: No module named 'nosuch'",
        "assignments/activations/hidden/test_extra.py:7: check 'relu_extra' has "
        "@pytest.mark.points('two'): points must be a number >= 0"]


def test_checks_the_notebook_cannot_hold_and_stray_files(course: Path) -> None:
    acts = course / "assignments" / "activations"
    # a fixture of its own: the grader could run it, the nbgrader notebook cannot
    hidden = acts / "hidden" / "test_relu.py"
    hidden.write_text(hidden.read_text() + "\n\n@pytest.fixture\ndef matrix():\n"
                      "    return np.eye(2)\n")
    (acts / "test_forgotten.py").write_text("def test_nothing():\n    pass\n")
    run = dlgrade("lint", "-a", "activations", cwd=course)
    assert run.returncode == 2
    assert run.stdout.splitlines() == [
        "assignments/activations/test_forgotten.py: is never run: checks go in public/ or "
        "hidden/"]
    (acts / "test_forgotten.py").unlink()
    run = dlgrade("lint", "-a", "activations", cwd=course)
    assert run.returncode == 2
    assert run.stdout.splitlines() == [
        "assignments/activations/hidden/test_relu.py: the nbgrader notebook cannot be built: "
        "fixture 'matrix': checks may only use the fixtures student, expect, rng, helpers"]
