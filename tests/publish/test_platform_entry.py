"""The one fault path of the platform entry points (publish/runtime.py ``run_entry``).

Gradescope's and PrairieLearn's ``run`` share it: a package that cannot be read
still gives the platform a complete result file in its own format, written in
one step, that tells the student the grader is at fault; the details go to the
instructor (the log, or PrairieLearn's ``dlgrade_fault``). The full graded
paths are in test_publish_gradescope.py and test_publish_prairielearn.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.publish import gradescope, prairielearn


def _read(root: Path) -> dict[str, object]:
    results = root / "results"
    # written in one step: the result file and nothing else (no temporary left)
    assert sorted(p.name for p in results.iterdir()) == ["results.json"]
    document = json.loads((results / "results.json").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_gradescope_fault_is_a_zero_that_blames_the_grader(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)  # a bundle-less package: no platform.json
    document = gradescope.run(root)
    assert _read(root) == document
    assert document["score"] == 0 and document["tests"] == []
    assert document["output"] == gradescope.FAULT_MESSAGE
    extra = document["extra_data"]
    assert isinstance(extra, dict) and extra["status"] == "grader_error"
    assert extra["error"].startswith("GraderFault: the package's ")
    assert extra["error"].endswith("platform.json cannot be read: [Errno 2] No such file or "
                                   f"directory: '{root}/source/dlgrade/platform.json'")
    out = capsys.readouterr().out
    assert out.startswith("dlgrade: grader fault (the student sees only that the grader "
                          "failed):\nTraceback (most recent call last):\n")
    assert "Traceback" not in json.dumps(document)  # the student never sees one


def test_prairielearn_fault_is_not_gradable_and_keeps_the_details(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "grade"
    (root / "student").mkdir(parents=True)
    document = prairielearn.run(root)
    assert _read(root) == document
    assert document["gradable"] is False and document["score"] == 0.0
    assert document["format_errors"] == [prairielearn.FAULT_MESSAGE]
    fault = document["dlgrade_fault"]
    assert isinstance(fault, str) and fault.startswith("Traceback (most recent call last):")
    assert "platform.json cannot be read" in fault
    assert capsys.readouterr().out == ("dlgrade: grader fault; details in results.json's "
                                       "dlgrade_fault\n")
