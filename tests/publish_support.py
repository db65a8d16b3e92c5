"""Shared by tests/publish/test_publish_*.py: the dlgrade wheel (built once per session),
the platforms' JSON Schemas, and real submissions of every kind a student may
upload (correct, buggy, broken, hostile, and the bad inputs of issue 12)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import nbformat
import pytest

from autograder.publish.bundle import build_wheel

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "tests" / "schemas"
REFERENCE = (REPO / "solutions" / "neural_network.py").read_text(encoding="utf-8")
ASSIGNMENT = "activations"
MAX_SCORE = 20  # activations: relu 10 + softmax 10


def _checks() -> tuple[int, float]:
    """How many checks (parametrize cases counted) the assignment has (every
    result document lists each of them), and the points of its public ones."""
    from autograder.course.assignment import load_assignment
    from autograder.publish.nbgrader_course import collect_checks

    cases = collect_checks(load_assignment(REPO, ASSIGNMENT))
    return len(cases), sum(c.points for c in cases if not c.hidden)


CHECKS, PUBLIC_POINTS = _checks()
BIG_BYTES = 50 * 1024 * 1024

# kind -> (what the result must say, the score it must get; None: checked elsewhere)
EXPECTED: dict[str, tuple[str, float | None]] = {
    "correct": ("", MAX_SCORE),
    "buggy": ("", None),  # softmax over axis 0: loses the softmax points only
    "broken": ("SyntaxError", 0),
    "hostile": ("", None),  # patches numpy's comparisons, returns zeros: loses softmax
    "empty": ("no neural_network.py and no notebook found", 0),
    "wrong_name": ("no neural_network.py and no notebook found", 0),
    "misnamed": ("", MAX_SCORE),  # one .py under another name: it is the file
    "folder": ("", MAX_SCORE),  # an uploaded folder: my-work/neural_network.py
    "notebook": ("", MAX_SCORE),
    "zip": ("", MAX_SCORE),
    "big": ("the limit is 2 MB", 0),
}
CORE_KINDS = ("correct", "buggy", "broken", "hostile")


def dlgrade_wheel(factory: pytest.TempPathFactory) -> Path:
    """dlgrade's wheel, built from this tree once per test session."""
    folder = factory.getbasetemp() / "dlgrade-wheel"
    wheels = sorted(folder.glob("dlgrade-*.whl"))
    return wheels[0] if wheels else build_wheel(folder)


def validate(document: dict[str, Any], schema: str) -> None:
    """Raise if ``document`` does not follow ``tests/schemas/<schema>.schema.json``."""
    spec = json.loads((SCHEMAS / f"{schema}.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, spec, cls=jsonschema.Draft202012Validator)


def source(kind: str) -> str:
    """The text of neural_network.py for a core kind."""
    if kind in ("correct", "notebook", "zip"):
        return REFERENCE
    if kind == "buggy":
        return REFERENCE + "\n\n" + (REPO / "tests/corpus/buggy/softmax_axis0.py").read_text()
    if kind == "broken":
        return REFERENCE + "\n\ndef relu(Z:\n    return Z\n"
    if kind == "hostile":
        return REFERENCE + "\n\n" + (REPO / "tests/attacks/monkeypatch_numpy.py").read_text()
    raise ValueError(kind)


def place(kind: str, folder: Path) -> Path:
    """Put a submission of ``kind`` into ``folder`` (created) as a student uploads it."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind in ("correct", "buggy", "broken", "hostile"):
        (folder / "neural_network.py").write_text(source(kind), encoding="utf-8")
    elif kind == "empty":
        pass
    elif kind == "wrong_name":
        (folder / "neural_network.txt").write_text(REFERENCE, encoding="utf-8")
    elif kind == "misnamed":
        (folder / "neural_network (1).py").write_text(REFERENCE, encoding="utf-8")
    elif kind == "folder":
        (folder / "my-work").mkdir()
        (folder / "my-work" / "neural_network.py").write_text(REFERENCE, encoding="utf-8")
    elif kind == "notebook":
        notebook = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_markdown_cell("My toolkit"),
            nbformat.v4.new_code_cell(REFERENCE)])
        nbformat.write(notebook, str(folder / "toolkit.ipynb"))
    elif kind == "zip":
        with zipfile.ZipFile(folder / "my-work.zip", "w") as archive:
            archive.writestr("my-work/neural_network.py", REFERENCE)
            archive.writestr("__MACOSX/my-work/._neural_network.py", "junk")
    elif kind == "big":
        with (folder / "neural_network.py").open("w", encoding="utf-8") as handle:
            handle.write(REFERENCE)
            handle.write(("#" * 1023 + "\n") * (BIG_BYTES // 1024))
    else:
        raise ValueError(kind)
    return folder


def grade_with_cli(entry: Path, out: Path) -> dict[str, Any]:
    """``dlgrade grade`` on a folder holding ``entry``: its results.json for it."""
    submissions = out.parent / f"{out.name}-submissions"
    submissions.mkdir(parents=True)
    target = submissions / entry.name
    if entry.is_dir():
        shutil.copytree(entry, target)
    else:
        shutil.copy2(entry, target)
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(submissions),
                           "-a", ASSIGNMENT, "-o", str(out), "--jobs", "1"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (student,) = [p for p in out.iterdir() if (p / "results.json").is_file()]
    return json.loads((student / "results.json").read_text())
