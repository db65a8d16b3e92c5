"""A new assignment is guarded the moment it exists.

In a temp copy of the course (a git repository, as an author's would be), an
author adds a ``derivatives`` assignment: ``relu_derivative`` in the reference
``solutions/neural_network.py``, one public check, and corpus entries. With no
list edited anywhere:

* the discrimination machinery (``tests/corpus_support.py``, what
  ``test_discrimination`` runs) grades the new entries against ``derivatives``
  and tells a check that misses a bug from one that catches it;
* ``dlgrade lint --prove`` proves only the changed assignment, prints the
  surviving mutant of a too-weak check with ``file:line`` and the mutation and
  exits 2, then passes once the check is strengthened;
* a function outside its solution fence is reported as not proven (exit 2),
  Ctrl-C stops the proof and its workers at once (exit 130), and a missing
  cosmic-ray is one clear line and exit 2.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.authoring.prove import changed_assignments
from corpus_support import (
    Entry,
    course_assignments,
    grade,
    header_problems,
    judge,
    read_corpus,
    read_entry,
    reference_of,
    targets,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

REFERENCE_ADDITION = '''

def relu_derivative(Z: Array) -> Array:
    """The derivative of relu, element by element: 1 where Z > 0, else 0.

    Args:
        Z: pre-activations of any shape.

    Returns:
        A float array of Z's shape.
    """
    ### BEGIN SOLUTION
    return (Z > 0).astype(float)
    ### END SOLUTION
'''

TOML = '''title = "Derivatives of the activations"
submit = "neural_network.py"
functions = ["relu_derivative"]

[points]
relu_derivative = 10
'''

# no zero among the inputs: `Z >= 0` passes this check
WEAK_CHECK = '''import numpy as np
import pytest

pytestmark = [pytest.mark.tags("relu_derivative"), pytest.mark.visibility("public")]


@pytest.mark.points(10)
def test_relu_derivative_values(student, expect):
    Z = np.array([[-2.0, 3.0], [0.5, -0.1]])
    expect.close(student.relu_derivative(Z.copy()), np.array([[0.0, 1.0], [1.0, 0.0]]),
                 what="relu_derivative(Z)", fn="relu_derivative", args=(Z,))
'''

STRONG_CHECK = WEAK_CHECK.replace(
    "Z = np.array([[-2.0, 3.0], [0.5, -0.1]])",
    "Z = np.array([[-2.0, 3.0], [0.5, -0.1], [0.0, 0.0]])").replace(
    "np.array([[0.0, 1.0], [1.0, 0.0]])", "np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])")

CORRECT_ENTRY = '''# function: relu_derivative
def relu_derivative(Z):
    return np.where(Z > 0, 1.0, 0.0)
'''

BUGGY_AT_ZERO = '''# function: relu_derivative
# bug: the derivative at 0 taken as 1
# cause: none
def relu_derivative(Z):
    return (Z >= 0).astype(float)
'''

BUGGY_RELU = '''# function: relu_derivative
# assignment: derivatives
# bug: returns relu itself
# cause: none
def relu_derivative(Z):
    return np.maximum(0, Z)
'''


def dlgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A committed copy of the course, then the new assignment, uncommitted."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "course"
    for name in ("assignments", "solutions"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "the course", cwd=root)
    reference = root / "solutions" / "neural_network.py"
    reference.write_text(reference.read_text(encoding="utf-8") + REFERENCE_ADDITION,
                         encoding="utf-8")
    folder = root / "assignments" / "derivatives"
    (folder / "public").mkdir(parents=True)
    (folder / "hidden").mkdir()
    (folder / "assignment.toml").write_text(TOML, encoding="utf-8")
    (folder / "public" / "test_relu_derivative.py").write_text(WEAK_CHECK, encoding="utf-8")
    corpus = tmp_path / "corpus"
    for kind, name, text in [("correct", "rd_where", CORRECT_ENTRY),
                             ("buggy", "rd_at_zero", BUGGY_AT_ZERO),
                             ("buggy", "rd_relu", BUGGY_RELU)]:
        (corpus / kind).mkdir(parents=True, exist_ok=True)
        (corpus / kind / f"{name}.py").write_text(text, encoding="utf-8")
    return root


def read_entry_text(path: Path, text: str) -> Entry:
    path.write_text(text, encoding="utf-8")
    return read_entry(path)


def _verdicts(root: Path) -> dict[str, str]:
    """entry -> why it breaks the corpus rules ("" when it keeps them), graded on
    every assignment it targets."""
    assignments = course_assignments(root)
    entries = read_corpus(root.parent / "corpus")
    assert [p for e in entries for p in header_problems(e, assignments)] == []
    out = {}
    for entry in entries:
        assert targets(entry, assignments) == ["derivatives"]  # discovered, not listed
        assignment = assignments["derivatives"]
        reference = reference_of(root, assignment)
        result = grade(root, "derivatives", [entry.submission(reference, assignment.submit)])
        out[entry.name] = judge(entry, result[entry.name], assignment, reference)
    return out


def test_discrimination_picks_up_the_new_assignment(course: Path) -> None:
    weak = _verdicts(course)
    assert weak["correct/rd_where"] == ""
    assert weak["buggy/rd_relu"] == ""
    assert weak["buggy/rd_at_zero"] == ("buggy/rd_at_zero on derivatives: 'the derivative "
                                        "at 0 taken as 1' was not caught")
    # the stronger check under a new name: pytest (import-mode importlib) reuses a
    # check module this process imported before from the same path
    public = course / "assignments" / "derivatives" / "public"
    (public / "test_relu_derivative.py").unlink()
    (public / "test_relu_derivative_values.py").write_text(STRONG_CHECK, encoding="utf-8")
    assert set(_verdicts(course).values()) == {""}
    # an entry aimed at an assignment without its function is a header error
    wrong = read_entry_text(course.parent / "corpus" / "buggy" / "rd_relu.py",
                            BUGGY_RELU.replace("# assignment: derivatives",
                                               "# assignment: toolkit"))
    assert header_problems(wrong, course_assignments(course)) == [
        "buggy/rd_relu: '# assignment: toolkit': it has no function 'relu_derivative'"]


def test_changed_assignments_follow_functions_not_files(course: Path) -> None:
    # relu_derivative was added to the shared reference file: only derivatives changed
    assert changed_assignments(course) == ["derivatives"]
    git("add", "-A", cwd=course)
    git("commit", "-q", "-m", "derivatives", cwd=course)
    assert changed_assignments(course) == []
    assert changed_assignments(course, "HEAD~1") == ["derivatives"]
    # editing sigmoid changes toolkit (and nothing that does not use it)
    reference = course / "solutions" / "neural_network.py"
    text = reference.read_text(encoding="utf-8")
    assert "    e = np.exp(-np.abs(Z))\n" in text
    reference.write_text(text.replace("    e = np.exp(-np.abs(Z))\n",
                                      "    e = np.exp(-1.0 * np.abs(Z))\n"), encoding="utf-8")
    assert changed_assignments(course) == ["toolkit"]


def test_lint_prove_proves_the_changed_assignment(course: Path) -> None:
    weak = dlgrade("lint", "--quick", "--prove", cwd=course)
    assert weak.returncode == 2, weak.stdout + weak.stderr
    lines = weak.stdout.splitlines()
    assert "prove: changed since HEAD: derivatives" in lines
    rows = [line.split() for line in lines if line.startswith("derivatives ")]
    assert [r[1] for r in rows] == ["relu_derivative"]
    mutants, killed, equivalent, surviving = map(int, rows[0][2:6])
    assert mutants >= 5 and surviving == 1 and killed == mutants - 1 and equivalent == 0
    assert not [line for line in lines if line.startswith(("toolkit ", "activations "))]
    line = (course / "solutions" / "neural_network.py").read_text(
        encoding="utf-8").splitlines().index("    return (Z > 0).astype(float)") + 1
    survivor = lines.index(next(s for s in lines if s.startswith("SURVIVOR ")))
    assert lines[survivor].startswith(
        f"SURVIVOR solutions/neural_network.py:{line}: derivatives/relu_derivative core/")
    assert lines[survivor + 1:survivor + 3] == ["  - return (Z > 0).astype(float)",
                                                "  + return (Z >= 0).astype(float)"]
    assert "1 surviving mutant, 0 stale equivalent entries" in weak.stderr

    (course / "assignments/derivatives/public/test_relu_derivative.py").write_text(
        STRONG_CHECK, encoding="utf-8")
    strong = dlgrade("lint", "--quick", "--prove", "-a", "derivatives", cwd=course)
    assert strong.returncode == 0, strong.stdout + strong.stderr
    row = next(line.split() for line in strong.stdout.splitlines()
               if line.startswith("derivatives "))
    assert row[1] == "relu_derivative" and row[5] == "0" and row[6] == "100.0%"
    assert "SURVIVOR" not in strong.stdout


def test_lint_prove_samples_and_says_when_nothing_changed(course: Path) -> None:
    git("add", "-A", cwd=course)
    git("commit", "-q", "-m", "derivatives", cwd=course)
    quiet = dlgrade("lint", "--quick", "--prove", cwd=course)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stdout.splitlines()[-1] == ("prove: no assignment changed since HEAD "
                                             "(name one with -a, or pass --since REV)")
    sampled = dlgrade("lint", "--quick", "--prove", "--since", "HEAD~1", "--sample", "0.5",
                      cwd=course)
    row = next(line.split() for line in sampled.stdout.splitlines()
               if line.startswith("derivatives "))
    full = dlgrade("lint", "--quick", "--prove", "-a", "derivatives", cwd=course)
    whole = next(line.split() for line in full.stdout.splitlines()
                 if line.startswith("derivatives "))
    assert 0 < int(row[2]) < int(whole[2])
    bad = dlgrade("lint", "--quick", "--prove", "--since", "no-such-rev", cwd=course)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"dlgrade: error: --since no-such-rev: not a git revision of {course}"]


def test_lint_prove_without_cosmic_ray_is_one_line(course: Path) -> None:
    code = ("import sys\n"
            "sys.modules['cosmic_ray'] = None  # as if it were not installed\n"
            "from autograder.cli import main\n"
            "sys.argv = ['dlgrade', 'lint', '--prove', '-a', 'derivatives']\n"
            "main()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=course, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "dlgrade: error: proving the checks needs cosmic-ray, which is not installed "
        "(pip install 'dlgrade[test]', or pip install cosmic-ray)"]


def test_a_function_without_a_fence_is_not_proven(course: Path) -> None:
    reference = course / "solutions" / "neural_network.py"
    text = reference.read_text(encoding="utf-8")
    unfenced = text.replace("    ### BEGIN SOLUTION\n    return (Z > 0).astype(float)\n"
                            "    ### END SOLUTION\n", "    return (Z > 0).astype(float)\n")
    assert unfenced != text
    reference.write_text(unfenced, encoding="utf-8")
    run = dlgrade("lint", "--quick", "--prove", "-a", "derivatives", cwd=course)
    assert run.returncode == 2, run.stdout + run.stderr
    assert ("NOT PROVEN derivatives/relu_derivative: no mutant (is its code between "
            "### BEGIN SOLUTION and ### END SOLUTION in the reference?)") in run.stdout.splitlines()
    assert run.stderr.strip() == ("dlgrade lint --prove: 1 function without a mutant: put the "
                                  "reference code inside its solution fence")


def test_ctrl_c_stops_the_proof_and_its_workers(course: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "lint", "--quick",
                             "--prove", "-a", "toolkit"], cwd=course, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("lint OK: toolkit")
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline:  # the proof has started
        workers = _workers_in(course)
        time.sleep(0.2)
    assert workers
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "dlgrade lint --prove: interrupted; nothing was proven"
    assert "SURVIVOR" not in out and "all " not in out
    assert _workers_in(course) == set()


def _workers_in(course: Path) -> set[int]:
    """The ids of the mutation workers running in ``course`` (their working directory)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and Path(entry / "cwd").resolve() == course.resolve()
                    and b"autograder.authoring.mutant_worker" in (entry / "cmdline").read_bytes()):
                found.add(int(entry.name))
        except OSError:
            continue
    return found
