"""`dlgrade package classroom`: the starter repository and its workflow.

The workflow is parsed as YAML and its grading step's own command is run in a
student's copy of the repository with GITHUB_OUTPUT set to a temp file; the
decoded runner result must follow the schema and add up to dlgrade's score.
The instructor's hidden-check pass is `dlgrade grade` over the folder
`gh classroom clone student-repos` makes: one folder per student repository.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from autograder.cli import main
from autograder.publish.classroom import whole_points
from publish_support import (
    ASSIGNMENT,
    CHECKS,
    PUBLIC_POINTS,
    CORE_KINDS,
    MAX_SCORE,
    REPO,
    dlgrade_wheel,
    grade_with_cli,
    place,
    validate,
)

REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def test_whole_points_keep_the_total_honest() -> None:
    # four half points: rounding each alone gives 0 (or 4); the total must stay 2
    assert whole_points([0.5, 0.5, 0.5, 0.5]) == [1, 1, 0, 0]
    assert whole_points([3.0, 2.0, 1.0]) == [3, 2, 1]  # whole points are left alone
    maxima = whole_points([1.5, 1.5])
    assert maxima == [2, 1] and sum(maxima) == 3
    assert whole_points([1.5, 1.5], caps=maxima) == [2, 1]
    # a failed check never gets a point, nor a check above its cap
    assert whole_points([0.0, 1.5], caps=maxima) == [0, 1]
    # so the maxima are rounded up where the points were earned: the total stays 2
    maxima = whole_points([1.5, 1.5], prefer=[0.0, 1.0])
    assert maxima == [1, 2] and whole_points([0.0, 1.5], caps=maxima) == [0, 2]
    assert whole_points([1 / 3] * 3) == [1, 0, 0]


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classroom") / "starter"
    result = CliRunner().invoke(main, ["package", "classroom", "-a", ASSIGNMENT, "-o", str(out),
                                       "--course", str(REPO), "--wheel",
                                       str(dlgrade_wheel(tmp_path_factory))])
    assert result.exit_code == 0, result.output
    return out


def steps(starter: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load((starter / ".github/workflows/classroom.yml").read_text())
    assert workflow["name"] == "Autograding Tests" and "push" in workflow["on"]
    assert workflow["permissions"]["checks"] == "write"
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def run_grading_step(starter: Path, repo: Path, tmp_path: Path) -> dict[str, Any]:
    """Run the workflow's grading step, as written, in ``repo``; decode its result."""
    (step,) = [s for s in steps(starter) if s.get("id") == "dlgrade"]
    bin_dir = tmp_path / "bin"  # `python` on PATH is this test's interpreter
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("")
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "GITHUB_OUTPUT": str(output),
                               "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = output.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("result=")
    document = json.loads(base64.b64decode(lines[0].removeprefix("result=")))
    validate(document, "classroom_runner_result")
    return document


def student_repo(starter: Path, folder: Path, kind: str) -> Path:
    """A student's clone of the starter, with their neural_network.py."""
    shutil.copytree(starter, folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "neural_network.py").unlink()
    if kind == "wrong_name":
        place("wrong_name", folder)
    elif kind != "empty":
        place(kind, folder)
    return folder


@pytest.mark.slow
def test_starter_holds_public_checks_only_and_says_so(starter: Path) -> None:
    files = sorted(p.relative_to(starter).as_posix() for p in starter.rglob("*") if p.is_file())
    assert "neural_network.py" in files and f"tests/{ASSIGNMENT}/test_relu.py" in files
    assert f".github/dlgrade/course/assignments/{ASSIGNMENT}/public/test_softmax.py" in files
    assert not any("/hidden/" in f or "mistakes" in f or "solutions" in f for f in files)
    assert not any(f.startswith("tests/toolkit/") for f in files)  # other assignments
    hidden_names = {p.name for p in (REPO / "assignments" / ASSIGNMENT / "hidden").iterdir()}
    text = " ".join((starter / f).read_text(errors="replace") for f in files
                    if f.endswith((".py", ".md", ".yml", ".json")))
    assert all(f"def test_{name}" not in text for name in hidden_names)
    workflow = (starter / ".github/workflows/classroom.yml").read_text()
    assert "only the assignment's PUBLIC checks" in workflow
    assert "hidden checks" in (starter / "README.md").read_text()


@pytest.mark.slow
def test_workflow_installs_the_bundled_wheel_and_reports_the_grading_step(starter: Path) -> None:
    all_steps = steps(starter)
    ids = [s.get("id") for s in all_steps]
    install = next(s for s in all_steps if s.get("name") == "Install dlgrade")
    assert "--no-deps .github/dlgrade/dlgrade-*.whl" in install["run"]
    assert "-r .github/dlgrade/requirements.txt" in install["run"]
    assert len(list((starter / ".github/dlgrade").glob("dlgrade-*.whl"))) == 1
    requirements = (starter / ".github/dlgrade/requirements.txt").read_text()
    assert "numpy" in requirements and "nbgrader" not in requirements
    reporter = all_steps[-1]
    assert reporter["uses"] == REPORTER and ids.index("dlgrade") < len(all_steps) - 1
    assert reporter["with"]["runners"] == "dlgrade"
    assert reporter["env"] == {"DLGRADE_RESULTS": "${{ steps.dlgrade.outputs.result }}"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", CORE_KINDS)
def test_grading_step_adds_up_to_dlgrade_score(starter: Path, tmp_path: Path,
                                               kind: str) -> None:
    repo = student_repo(starter, tmp_path / "repo", kind)
    document = run_grading_step(starter, repo, tmp_path)
    reference = grade_with_cli(repo / "neural_network.py", tmp_path / "out")
    public = [t for t in reference["tests"] if t["visibility"] == "visible"]
    assert [t["name"] for t in document["tests"]] == [t["name"] for t in public]
    assert [t["score"] for t in document["tests"]] == [t["score"] for t in public]
    assert sum(t["score"] for t in document["tests"]) == sum(t["score"] for t in public)
    assert document["max_score"] == sum(t["max_score"] for t in public)
    assert document["status"] == ("pass" if kind == "correct" else "fail")
    if kind == "broken":
        assert all("SyntaxError" in t["message"] for t in document["tests"])


@pytest.mark.slow
@pytest.mark.parametrize("kind,reason", [
    ("empty", "neural_network.py is missing from the repository"),
    ("wrong_name", "neural_network.py is missing from the repository"),
    ("big", "the limit is 2 MB"),
])
def test_bad_repositories_get_a_valid_result_saying_why(starter: Path, tmp_path: Path,
                                                        kind: str, reason: str) -> None:
    repo = student_repo(starter, tmp_path / "repo", kind)
    document = run_grading_step(starter, repo, tmp_path)
    assert document["status"] == "fail" and document["max_score"] == round(PUBLIC_POINTS)
    assert sum(t["score"] for t in document["tests"]) == 0
    assert all(reason in t["message"] for t in document["tests"])


@pytest.mark.slow
def test_instructor_grades_the_cloned_repositories_as_they_are(starter: Path,
                                                                tmp_path: Path) -> None:
    # `gh classroom clone student-repos -a ID` writes <assignment>-submissions/<repo>/
    clones = tmp_path / "activations-submissions"
    kinds = {"activations-alice": "correct", "activations-bob": "buggy",
             "activations-carol": "broken", "activations-dan": "empty"}
    for name, kind in kinds.items():
        student_repo(starter, clones / name, kind)
    out = tmp_path / "graded"
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(clones), "-a",
                           ASSIGNMENT, "-o", str(out), "--jobs", "2"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with (out / "grades.csv").open() as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(kinds)
    assert float(rows["activations-alice"]["total"]) == MAX_SCORE
    assert 10 <= float(rows["activations-bob"]["total"]) < MAX_SCORE
    assert float(rows["activations-carol"]["total"]) == 0
    assert float(rows["activations-dan"]["total"]) == 0
    alice = json.loads((out / "activations-alice" / "results.json").read_text())
    assert len(alice["tests"]) == CHECKS and any("hidden" in t["tags"] for t in alice["tests"])
    # no neural_network.py: every check is still listed, each at 0
    dan = json.loads((out / "activations-dan" / "results.json").read_text())
    assert len(dan["tests"]) == CHECKS and {t["score"] for t in dan["tests"]} == {0}


def test_a_foreign_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["package", "classroom", "-a", ASSIGNMENT, "-o",
                                       str(tmp_path), "--course", str(REPO)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"dlgrade: error: '{tmp_path}' is not empty and was not "
                                     "written by dlgrade package; choose a new folder")
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.slow
def test_repackaging_replaces_the_old_wheel_and_keeps_git(starter: Path, tmp_path: Path,
                                                          tmp_path_factory: pytest.TempPathFactory
                                                          ) -> None:
    repo = tmp_path / "starter"
    shutil.copytree(starter, repo)
    (repo / ".git").mkdir()
    (repo / ".github/dlgrade/dlgrade-0.0.1-py3-none-any.whl").write_text("old")
    result = CliRunner().invoke(main, ["package", "classroom", "-a", ASSIGNMENT, "-o", str(repo),
                                       "--course", str(REPO), "--wheel",
                                       str(dlgrade_wheel(tmp_path_factory))])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (repo / ".github/dlgrade").glob("*.whl")] == [
        "dlgrade-0.1.0-py3-none-any.whl"]
    assert (repo / ".git").is_dir()
