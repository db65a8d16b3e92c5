"""The `dlgrade` command as users run it: real folders, real grading runs."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.assignment import list_assignments, load_assignment
from autograder.cli import main

pytestmark = pytest.mark.slow


def flat(text: str) -> str:
    """Terminal output without table borders and line wrapping."""
    return " ".join(text.replace("│", " ").replace("┃", " ").split())


def dlgrade(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def examples_run(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("examples") / "out"
    proc = dlgrade("grade", str(repo / "examples" / "submissions"), "-a", "toolkit",
                   "-o", str(out), "--timeout", "2", cwd=repo)
    return {"proc": proc, "out": out}


def test_grade_examples_exits_zero_with_a_summary(examples_run: dict) -> None:
    proc = examples_run["proc"]
    assert proc.returncode == 0, proc.stderr
    assert "graded 7 submissions of 'toolkit'" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_grades_csv_has_the_contract_columns(examples_run: dict, repo: Path) -> None:
    with open(examples_run["out"] / "grades.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    checks = json.loads((examples_run["out"] / "alice" / "results.json").read_text())["tests"]
    assert header == ["student", *[t["name"] for t in checks], "total", "max_total"]
    assert [r[0] for r in rows[1:]] == ["alice", "bob", "carol", "dan", "eve", "frank", "grace"]
    assignment = load_assignment(repo, "toolkit")
    by_student = {r[0]: r for r in rows[1:]}
    assert float(by_student["alice"][-2]) == assignment.total_points  # the reference: full
    assert float(by_student["alice"][-1]) == assignment.total_points


def test_every_results_json_lists_every_check(examples_run: dict, repo: Path) -> None:
    functions = set(load_assignment(repo, "toolkit").functions)
    names = None
    for student_dir in sorted(p for p in examples_run["out"].iterdir() if p.is_dir()):
        data = json.loads((student_dir / "results.json").read_text())
        assert isinstance(data["score"], (int, float))
        assert isinstance(data["execution_time"], (int, float))
        these = [t["name"] for t in data["tests"]]
        names = names or these
        assert these == names, f"{student_dir.name}: a different list of checks"
        for test in data["tests"]:
            assert {"name", "score", "max_score", "status", "visibility", "output",
                    "tags"} <= set(test)
            assert test["tags"][0] in functions
            assert test["status"] in ("passed", "failed")


def test_feedback_names_bobs_mistake_and_only_softmax_loses(examples_run: dict) -> None:
    data = json.loads((examples_run["out"] / "bob" / "results.json").read_text())
    lost = {t["tags"][0] for t in data["tests"] if t["score"] < t["max_score"]}
    assert lost == {"softmax"}
    assert "axis=0 instead of axis=1" in (examples_run["out"] / "bob" / "feedback.md").read_text()


def test_cheater_and_broken_files(examples_run: dict) -> None:
    out = examples_run["out"]
    eve = json.loads((out / "eve" / "results.json").read_text())
    softmax = [t for t in eve["tests"] if t["tags"][0] == "softmax"]
    # patching numpy gains nothing: her softmax (global sum) keeps only the few
    # points such a bug earns anyway (one-row input, values in range)
    assert sum(t["score"] for t in softmax) <= 0.3 * sum(t["max_score"] for t in softmax)
    frank = json.loads((out / "frank" / "results.json").read_text())
    assert frank["score"] == 0 and "SyntaxError" in frank["output"]
    grace = json.loads((out / "grace" / "results.json").read_text())
    lost = {t["tags"][0] for t in grace["tests"] if t["score"] < t["max_score"]}
    assert lost == {"gradient_descent"}  # the endless loop costs only that function
    carol = (out / "carol" / "feedback.md").read_text()
    assert "NameError" in carol  # the failing notebook cell is reported


def test_regrading_reuses_unchanged_submissions(repo: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(repo / "examples" / "submissions" / "bob.py", subs / "bob.py")
    shutil.copy(repo / "solutions" / "neural_network.py", subs / "ann.py")
    args = ["grade", str(subs), "-a", "activations", "-o", str(tmp_path / "out")]
    first = dlgrade(*args, cwd=repo)
    assert "2 graded, 0 unchanged" in first.stdout, first.stderr
    (subs / "ann.py").write_text((subs / "ann.py").read_text() + "\n# edited\n")
    second = dlgrade(*args, cwd=repo)
    assert "1 graded, 1 unchanged" in second.stdout
    third = dlgrade(*args, "--force", cwd=repo)
    assert "2 graded, 0 unchanged" in third.stdout
    export = dlgrade("export", "--gradebook", str(tmp_path / "out" / "gradebook.db"),
                     "-o", str(tmp_path / "all.csv"))
    assert export.returncode == 0
    rows = list(csv.reader(open(tmp_path / "all.csv", newline="")))
    assert rows[0][0] == "student" and len(rows) == 3


def test_reference_scores_full_marks_on_every_assignment(repo: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(repo / "solutions" / "neural_network.py", subs / "reference.py")
    for assignment_id in list_assignments(repo):
        out = tmp_path / assignment_id
        proc = dlgrade("grade", str(subs), "-a", assignment_id, "-o", str(out), cwd=repo)
        assert proc.returncode == 0, proc.stderr
        data = json.loads((out / "reference" / "results.json").read_text())
        assert data["score"] == load_assignment(repo, assignment_id).total_points, [
            (t["name"], t["output"]) for t in data["tests"] if t["status"] != "passed"]


@pytest.mark.parametrize("args, message", [
    (["grade", "nowhere", "-a", "toolkit", "-o", "x"], "is not a folder of submissions"),
    (["grade", "examples/submissions", "-a", "nope", "-o", "x"], "unknown assignment 'nope'"),
    (["grade", "examples/submissions", "-a", "toolkit", "-o", "x", "--late-penalty", "5%/day"],
     "--late-penalty needs --due"),
])
def test_usage_errors_are_one_line_and_exit_2(repo: Path, tmp_path: Path, args: list[str],
                                              message: str, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, [a.replace("x", str(tmp_path / "o")) if a == "x" else a
                                       for a in args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_course_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    result = CliRunner().invoke(main, ["grade", "subs", "-a", "toolkit", "-o", "out"])
    assert result.exit_code == 2 and "no course found" in result.output


def test_check_in_the_student_template(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "mine"
    shutil.copytree(repo / "student_template", work)
    stub = dlgrade("check", "-a", "activations", cwd=work)
    assert stub.returncode == 1
    assert "not written yet" in flat(stub.stdout) and "Traceback" not in stub.stdout + stub.stderr
    assert "hidden" in stub.stdout  # says plainly that hidden checks run at grading
    shutil.copy(repo / "solutions" / "neural_network.py", work / "neural_network.py")
    for assignment_id in ("activations", "toolkit"):
        done = dlgrade("check", "-a", assignment_id, cwd=work)
        assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("source, message", [
    ("def relu(:\n", "SyntaxError"),
    ("import not_a_module\n", "ModuleNotFoundError"),
    ("import numpy as np\ndef relu(Z):\n    raise ValueError('oops')\n", "relu raised ValueError"),
    ("import numpy as np\n", "not defined in your file"),
])
def test_check_with_a_broken_file_gives_one_clear_line(repo: Path, tmp_path: Path, source: str,
                                                       message: str) -> None:
    work = tmp_path / "mine"
    shutil.copytree(repo / "student_template", work)
    (work / "neural_network.py").write_text(source)
    proc = dlgrade("check", "-a", "activations", cwd=work)
    assert proc.returncode == 1
    assert message in flat(proc.stdout)
    assert "Traceback" not in proc.stdout + proc.stderr
