"""`dlgrade check` without a pytest session gives exactly what grading's
session gives: the same checks, ids, points, outcomes, messages and hints."""

from __future__ import annotations

import re

import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from autograder.course.assignment import load_assignment
from autograder.selfcheck.quickrun import run_in_session, run_public_checks, run_quick
from autograder.results import CheckSpec
from autograder.runtime.lightrun import NeedsPytest, collect
from autograder.grading.session import run_session
from autograder.course.submission import Submission

pytestmark = pytest.mark.slow

BUGGY = """
import numpy as np

def relu(Z):
    return np.abs(Z)

def softmax(Z):
    e = np.exp(Z)
    return e / e.sum(axis=0)

def sigmoid(Z):
    raise ValueError("oops [/b]")

def normalize(X):
    raise NotImplementedError
"""


def submission(source: str) -> Submission:
    return Submission("ada", "py", files={"neural_network.py": source},
                      entry="neural_network.py")


def collect_standalone(files: list[Path], monkeypatch: pytest.MonkeyPatch) -> list:
    """collect() as in `dlgrade check`, where pytest is not imported: the check
    files get the stand-in for pytest."""
    with monkeypatch.context() as patch:
        patch.delitem(sys.modules, "pytest")
        checks = collect(files)
        assert "pytest" not in sys.modules
    return checks


def imported_modules(importtime: str) -> set[str]:
    """The modules named in ``python -X importtime``'s report."""
    return {line.rsplit("|", 1)[-1].strip() for line in importtime.splitlines()
            if line.startswith("import time:")}


def shown(result) -> list[dict]:
    """What a student sees of each check (durations left out)."""
    return [{k: v for k, v in asdict(c).items() if k not in ("duration", "detail")}
            for c in result.checks]


@pytest.mark.parametrize("assignment_id", ["activations", "toolkit"])
def test_the_same_ids_as_pytest_for_every_check_file(repo: Path, assignment_id: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # public and hidden files, parametrize cases included
    assignment = load_assignment(repo, assignment_id)
    files = assignment.check_files(hidden=True)
    specs: list[CheckSpec] = []
    run_session(assignment=assignment, submissions=[], emit=lambda r: None, hidden=True,
                check_files=files, on_ready=lambda found, zygote: specs.extend(found))
    quick = collect_standalone(files, monkeypatch)
    assert [(c.id, c.function, c.points, c.visibility) for c in quick] == \
        [(s.id, s.function, s.points, s.visibility) for s in specs]
    assert any("[" in c.id for c in quick)  # parametrize cases and their ids


@pytest.mark.parametrize("assignment_id", ["activations", "toolkit"])
@pytest.mark.parametrize("which", ["reference", "buggy"])
def test_the_same_results_as_the_pytest_session(repo: Path, reference_source: str,
                                                assignment_id: str, which: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assignment = load_assignment(repo, assignment_id)
    files = assignment.check_files(hidden=False)
    sub = submission(reference_source if which == "reference" else BUGGY)
    quick, _ = run_quick(assignment, sub, collect_standalone(files, monkeypatch))
    session, _ = run_in_session(assignment, sub, files)
    assert shown(quick) == shown(session)
    assert (quick.status, quick.error) == (session.status, session.error)
    if which == "buggy":
        assert any(c["hint"] for c in shown(quick))  # hints travel both ways


def test_anything_else_runs_in_the_pytest_session(repo: Path, tmp_path: Path,
                                                  reference_source: str) -> None:
    # a check using another fixture (tmp_path) and pytest.approx: pytest runs it
    check = tmp_path / "test_extra.py"
    check.write_text(
        "import pytest\n"
        "pytestmark = [pytest.mark.tags('relu'), pytest.mark.visibility('public')]\n\n"
        "@pytest.mark.points(1)\n"
        "def test_relu_file(student, tmp_path):\n"
        "    assert float(student.relu(2.0)) == pytest.approx(2.0)\n")
    with pytest.raises(NeedsPytest):
        collect([check])
    assignment = load_assignment(repo, "activations")
    result, _ = run_public_checks(assignment, submission(reference_source), [check])
    assert [(c.check, c.outcome) for c in result.checks] == [("relu_file", "passed")]


def test_dlgrade_check_imports_neither_pytest_nor_rich(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    subprocess.run(["cp", "-r", str(repo / "student_template"), str(work)], check=True)
    (work / "neural_network.py").write_text((repo / "solutions" / "neural_network.py")
                                            .read_text())
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "autograder.cli", "check"],
                          cwd=work, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout
    imported = imported_modules(proc.stderr)
    assert "autograder.selfcheck.quickrun" in imported
    assert not {m for m in imported if m.split(".")[0] in ("pytest", "_pytest", "rich")}


def test_a_check_using_pytest_while_it_runs_is_run_by_pytest(repo: Path, tmp_path: Path) -> None:
    # `dlgrade check` reads checks without pytest; pytest.approx inside a check body
    # is only met while it runs: the whole run moves to the pytest session
    work = tmp_path / "work"
    subprocess.run(["cp", "-r", str(repo / "student_template"), str(work)], check=True)
    (work / "neural_network.py").write_text((repo / "solutions" / "neural_network.py")
                                            .read_text())
    (work / "tests" / "activations" / "test_zz_extra.py").write_text(
        "import pytest\n"
        "pytestmark = [pytest.mark.tags('relu'), pytest.mark.visibility('public')]\n\n"
        "@pytest.mark.points(1)\n"
        "def test_relu_of_two(student):\n"
        "    assert float(student.relu(2.0)) == pytest.approx(2.0)\n")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "autograder.cli", "check",
                           "-a", "activations"], cwd=work, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\b(\d+) of \1 public checks passed", proc.stdout)
    assert "pytest" in imported_modules(proc.stderr)  # the fallback ran


def test_the_pytest_session_runs_checks_from_a_folder_named_like_a_parameter(
        repo: Path, tmp_path: Path, reference_source: str) -> None:
    # pytest refuses a path holding "[": a student's folder "my [work]" must not matter
    folder = tmp_path / "my [work]" / "tests"
    folder.mkdir(parents=True)
    assignment = load_assignment(repo, "activations")
    files = []
    for path in assignment.check_files(hidden=False):
        files.append(folder / path.name)
        files[-1].write_text(path.read_text())
    result, _ = run_in_session(assignment, submission(reference_source), files)
    assert result.checks and all(c.outcome == "passed" for c in result.checks)


PARAMETRIZED = '''
import pytest

pytestmark = [pytest.mark.tags("relu"), pytest.mark.visibility("public")]


@pytest.mark.points(1)
@pytest.mark.parametrize("a, b", [(1, "x"), (2.5, "\\u00e9t\\u00e9"), (None, True), ((1, 2), [3])])
def test_values(student, a, b):
    pass


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(2, 3), (4,)], ids=["two by three", "\\u00fcn\\u00ef"])
def test_ids(student, shape):
    pass


@pytest.mark.points(1)
@pytest.mark.parametrize("x", [0, 1])
@pytest.mark.parametrize("y", [2, 3])
def test_stacked(student, x, y):
    pass
'''


def test_parametrize_ids_as_pytest_writes_them(repo: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    check = tmp_path / "test_params.py"
    check.write_text(PARAMETRIZED)
    specs: list[CheckSpec] = []
    run_session(assignment=load_assignment(repo, "activations"), submissions=[],
                emit=lambda r: None, hidden=False, check_files=[check],
                on_ready=lambda found, zygote: specs.extend(found))
    quick = collect_standalone([check], monkeypatch)
    assert [c.id for c in quick] == [s.id for s in specs]
    assert "values[2.5-\\xe9t\\xe9]" in [c.id for c in quick]  # escaped as pytest does
    # a value pytest names in its own way (a function): left to pytest
    check.write_text(PARAMETRIZED.replace('[(1, "x"),', '[(print, "x"),'))
    with pytest.raises(NeedsPytest):
        collect_standalone([check], monkeypatch)


READ_AS_PYTEST_DOES = '''
import pytest

pytestmark = [pytest.mark.tags("relu"), pytest.mark.visibility("public")]


@pytest.mark.points(1)
@pytest.mark.parametrize(["x"], [(1,), (2,)])  # a list of names: each case is a tuple
def test_names_in_a_list(student, x):
    assert isinstance(x, int), f"x is {x!r}"


@pytest.mark.points(1)
@pytest.mark.parametrize("x, y", [pytest.param(1, 2, id="given"), (3, 4), (5j, None)],
                         ids=["listed", None, "third"])
def test_param_id_wins_over_ids(student, x, y):
    pass


@pytest.mark.points(1)
@pytest.mark.parametrize("x", [1j, None, "a,b"])
def test_unusual_values(student, x):
    pass
'''


def test_the_light_reader_reads_these_as_pytest_does(repo: Path, tmp_path: Path,
                                                     reference_source: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    check = tmp_path / "test_read.py"
    check.write_text(READ_AS_PYTEST_DOES)
    assignment = load_assignment(repo, "activations")
    specs: list[CheckSpec] = []
    run_session(assignment=assignment, submissions=[], emit=lambda r: None, hidden=False,
                check_files=[check], on_ready=lambda found, zygote: specs.extend(found))
    light = collect_standalone([check], monkeypatch)
    assert [c.id for c in light] == [s.id for s in specs] == [
        "names_in_a_list[1]", "names_in_a_list[2]", "param_id_wins_over_ids[given]",
        "param_id_wins_over_ids[3-4]", "param_id_wins_over_ids[third]",
        "unusual_values[1j]", "unusual_values[None]", "unusual_values[a,b]"]
    sub = submission(reference_source)
    quick, _ = run_quick(assignment, sub, light)
    session, _ = run_in_session(assignment, sub, [check])
    assert shown(quick) == shown(session)
    assert all(c.outcome == "passed" for c in quick.checks)  # x is 1, not (1,)


HEADER = ("import pytest\n"
          "pytestmark = [pytest.mark.tags('relu'), pytest.mark.visibility('public')]\n")
CHECK = "@pytest.mark.points(1)\ndef test_relu(student):\n    pass\n"


@pytest.mark.parametrize("source", [
    # what pytest reads otherwise (or refuses) than a naive reading would
    "@pytest.mark.points(1)\n@pytest.mark.parametrize('x', [1, 2], ids=['one'])\n"
    "def test_a(student, x):\n    pass\n",  # pytest: an error (one id for two cases)
    "pytestmark = [*pytestmark, pytest.mark.parametrize('x', [1, 2])]\n"
    "@pytest.mark.points(1)\ndef test_a(student, x):\n    pass\n",  # module-level parametrize
    "class TestRelu:\n    @pytest.mark.points(1)\n    def test_a(self, student):\n"
    "        pass\n",  # a test class
    "@pytest.mark.points(1)\ndef test_a(student, *, expect):\n    pass\n",  # keyword-only
    "@pytest.mark.points(1)\n@pytest.mark.parametrize('x', [1])\n"
    "def test_a(student):\n    pass\n",  # pytest: the check takes no argument x
    "@pytest.mark.points(1)\n@pytest.mark.parametrize('x', ['a' * 101])\n"
    "def test_a(student, x):\n    pass\n",  # pytest versions name long strings differently
    "@pytest.mark.points()\ndef test_a(student):\n    pass\n",  # the closest mark has no value
    "@pytest.mark.points(1)\n@pytest.mark.parametrize('x', [])\n"
    "def test_a(student, x):\n    pass\n",  # no cases: pytest skips it
    "@pytest.mark.points(1)\n"
    "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.skip)])\n"
    "def test_a(student, x):\n    pass\n",  # a case with its own marks
    "@pytest.mark.points(1)\n@pytest.mark.parametrize('x', [1])\n"
    "@pytest.mark.parametrize('x', [2])\ndef test_a(student, x):\n    pass\n",  # twice
    "@pytest.mark.points(1)\ndef test_a(student, request):\n    pass\n",  # pytest's own fixture
])
def test_what_the_light_reader_cannot_read_exactly_goes_to_pytest(
        tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    check = tmp_path / "test_odd.py"
    check.write_text(HEADER + CHECK + source)
    with pytest.raises(NeedsPytest):
        collect_standalone([check], monkeypatch)
    with pytest.raises(NeedsPytest):
        collect([check])  # with the real pytest too
    check.write_text(HEADER + CHECK)
    assert [c.id for c in collect_standalone([check], monkeypatch)] == ["relu"]
