"""`dlgrade package prairielearn`: the question folder, graded as PrairieLearn does.

The question's tests/ is copied to ROOT/tests, the student's files to
ROOT/student and a data.json to ROOT/data; the entry point named in info.json
runs (with DLGRADE_PLATFORM_ROOT standing in for /grade and this interpreter
as the image's python3) and ROOT/results/results.json must follow the schema.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.publish.prairielearn import MAX_BYTES, fit
from publish_support import (ASSIGNMENT, CHECKS, EXPECTED, MAX_SCORE, REPO, dlgrade_wheel, place,
                             validate)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def question(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("questions") / "dlgrade-activations"
    result = CliRunner().invoke(main, ["package", "prairielearn", "-a", ASSIGNMENT, "-o",
                                       str(out), "--course", str(REPO), "--wheel",
                                       str(dlgrade_wheel(tmp_path_factory))])
    assert result.exit_code == 0, result.output
    return out


def grade(question: Path, root: Path, kind: str) -> dict[str, Any]:
    """Lay the job out as PrairieLearn does, run the entry point, read the result."""
    shutil.copytree(question / "tests", root / "tests")
    place(kind, root / "student")
    (root / "data").mkdir()
    (root / "data" / "data.json").write_text(json.dumps({"params": {}, "submitted_answers": {}}))
    info = json.loads((question / "info.json").read_text())
    entrypoint = info["externalGradingOptions"]["entrypoint"]
    assert entrypoint.startswith("/grade/")
    script = root / entrypoint.removeprefix("/grade/")
    script.chmod(0o755)  # PrairieLearn makes the entry point executable itself
    proc = subprocess.run([str(script)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DLGRADE_PLATFORM_ROOT": str(root),
                               "DLGRADE_PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    path = root / "results" / "results.json"
    assert path.stat().st_size < MAX_BYTES
    document = json.loads(path.read_text())
    validate(document, "prairielearn_results")
    return document


def test_question_folder_is_what_prairielearn_reads(question: Path) -> None:
    info = json.loads((question / "info.json").read_text())
    assert info["gradingMethod"] == "External" and info["type"] == "v3"
    options = info["externalGradingOptions"]
    assert options["enabled"] is True and options["image"] == "prairielearn/grader-python"
    assert options["entrypoint"] == "/grade/tests/run_dlgrade.sh"
    assert 0 < options["timeout"] <= 600
    html = (question / "question.html").read_text()
    assert '<pl-file-upload file-names="neural_network.py">' in html
    assert "<pl-external-grader-results>" in html
    files = sorted(p.relative_to(question).as_posix() for p in question.rglob("*") if p.is_file())
    assert "tests/dlgrade/course/assignments/activations/hidden/test_relu.py" in files
    assert "tests/dlgrade/course/assignments/mistakes.py" in files
    assert not any("solutions" in f for f in files)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_upload_gets_a_valid_result_saying_why(question: Path, tmp_path: Path,
                                                     kind: str) -> None:
    document = grade(question, tmp_path / "grade", kind)
    reason, score = EXPECTED[kind]
    if kind in ("broken", "empty", "wrong_name", "big"):  # cannot be loaded: no attempt lost
        assert document["gradable"] is False and document["score"] == 0
        assert reason in " ".join(document["format_errors"])
    else:
        assert document["gradable"] is True and "format_errors" not in document
        assert len(document["tests"]) == CHECKS
        earned = sum(t["points"] for t in document["tests"])
        assert document["score"] == round(earned / MAX_SCORE, 4)
        if score is not None:
            assert earned == score
        else:  # buggy and hostile: softmax lost, relu kept
            assert 10 <= earned < MAX_SCORE
    assert "Traceback" not in json.dumps(document)


def test_a_grader_fault_is_not_gradable_and_says_so(question: Path, tmp_path: Path) -> None:
    root = tmp_path / "grade"
    broken = tmp_path / "q"
    shutil.copytree(question, broken)
    (broken / "tests" / "dlgrade" / "platform.json").write_text("{not json")
    document = grade(broken, root, "correct")
    assert document["gradable"] is False
    assert "not in your code" in document["format_errors"][0]
    assert "platform.json" in document["dlgrade_fault"]  # for the instructor


def test_no_python_still_writes_a_result(question: Path, tmp_path: Path) -> None:
    root = tmp_path / "grade"
    shutil.copytree(question / "tests", root / "tests")
    place("correct", root / "student")
    proc = subprocess.run(["sh", str(root / "tests" / "run_dlgrade.sh")], capture_output=True,
                          text=True, env={**os.environ, "DLGRADE_PLATFORM_ROOT": str(root),
                                          "DLGRADE_PYTHON": str(tmp_path / "no-python")})
    assert proc.returncode == 0
    document = json.loads((root / "results" / "results.json").read_text())
    validate(document, "prairielearn_results")
    assert document["gradable"] is False and "numpy and pytest" in document["dlgrade_fault"]


def test_huge_messages_are_cut_under_one_megabyte() -> None:
    results = {"gradable": True, "score": 0.5, "message": "m", "output": "x" * 3_000_000,
               "tests": [{"name": f"t{i}", "points": 0, "max_points": 1,
                          "message": "y" * 200_000, "output": ""} for i in range(20)]}
    shrunk = fit(results)
    assert len(json.dumps(shrunk).encode()) < MAX_BYTES
    assert len(shrunk["tests"]) == 20 and shrunk["score"] == 0.5  # the numbers stay
    validate(shrunk, "prairielearn_results")
