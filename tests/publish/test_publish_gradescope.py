"""`dlgrade package gradescope`: the zip, installed and run as Gradescope does.

The zip is unzipped into ROOT/source, setup.sh runs (a real venv, packages
from the index), run_autograder is copied to ROOT and run on real uploads in
ROOT/submission; every results.json must follow Gradescope's schema and say
what happened. DLGRADE_PLATFORM_ROOT stands in for /autograder.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from autograder.cli import main
from sandbox_users import python_paths, traversable

from publish_support import (
    ASSIGNMENT,
    CHECKS,
    CORE_KINDS,
    EXPECTED,
    MAX_SCORE,
    REFERENCE,
    REPO,
    dlgrade_wheel,
    grade_with_cli,
    place,
    validate,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    result = CliRunner().invoke(main, ["package", "gradescope", "-a", ASSIGNMENT, "-o", str(out),
                                       "--course", str(REPO), "--wheel",
                                       str(dlgrade_wheel(tmp_path_factory))])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def image(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Gradescope "image": the zip in ROOT/source, setup.sh run once."""
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):  # zipfile does not restore modes
        (root / "source" / name).chmod(0o755)
    proc = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True,
                          text=True, timeout=900, cwd=root / "source",
                          env={**os.environ, "DLGRADE_PLATFORM_ROOT": str(root),
                               "DLGRADE_PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


def run_autograder(root: Path, kind: str | None) -> tuple[dict[str, Any], str]:
    """Fresh submission/ and results/, run_autograder copied to ROOT and run."""
    for name in ("submission", "results"):
        shutil.rmtree(root / name, ignore_errors=True)
    if kind is not None:
        place(kind, root / "submission")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    proc = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True,
                          timeout=300, cwd=root,
                          env={**os.environ, "DLGRADE_PLATFORM_ROOT": str(root)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    document = json.loads((root / "results" / "results.json").read_text())
    validate(document, "gradescope_results")
    return document, proc.stdout


def test_zip_has_executable_scripts_at_its_root_with_lf_endings(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        for name in ("setup.sh", "run_autograder"):
            mode = infos[name].external_attr >> 16
            assert stat.S_ISREG(mode) and mode & 0o111 == 0o111, name  # executable file
            data = archive.read(name)
            assert data.startswith(b"#!/usr/bin/env bash\n") and b"\r" not in data
    names = set(infos)
    # the checks (public and hidden) and the mistake library, nothing else of the course
    assert {f"dlgrade/course/assignments/{ASSIGNMENT}/public/test_relu.py",
            f"dlgrade/course/assignments/{ASSIGNMENT}/hidden/test_softmax.py",
            "dlgrade/course/assignments/mistakes.py", "dlgrade/requirements.txt",
            "dlgrade/platform.json"} <= names
    assert not any("solution" in n or n.startswith("dlgrade/course/solutions") for n in names)
    assert [n for n in names if n.endswith(".whl")] == ["dlgrade/dlgrade-0.1.0-py3-none-any.whl"]
    assert all(not n.startswith("/") and ".." not in n for n in names)  # built from files
    with zipfile.ZipFile(package) as archive, \
            archive.open("dlgrade/dlgrade-0.1.0-py3-none-any.whl") as inner:
        wheel_names = set(zipfile.ZipFile(inner).namelist())
    # the shipped scripts travel inside the wheel as real files (package data)
    assert {"autograder/publish/templates/gradescope/run_autograder",
            "autograder/publish/templates/classroom/classroom.yml",
            "autograder/publish/templates/prairielearn/run_dlgrade.sh"} <= wheel_names


def test_hidden_visibility_is_saved_in_the_package(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["package", "gradescope", "-a", ASSIGNMENT, "-o", str(out),
                                       "--hidden-visibility", "after_due_date", "--course",
                                       str(REPO), "--wheel", str(dlgrade_wheel(tmp_path_factory))])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        config = json.loads(archive.read("dlgrade/platform.json"))
    assert config["hidden_visibility"] == "after_due_date" and config["sandbox"] == "auto"


def test_setup_installs_only_the_light_dependencies(image: Path) -> None:
    venv = image / "source" / "dlgrade" / "venv"
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list",
                             "--format", "json"], capture_output=True, text=True, check=True)
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"dlgrade", "numpy", "pytest", "click", "rich", "nbformat"} <= installed
    assert "nbgrader" not in installed and "jupyter" not in installed  # --no-deps + light list


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_upload_gets_a_valid_result_saying_why(image: Path, kind: str) -> None:
    document, stdout = run_autograder(image, kind)
    reason, score = EXPECTED[kind]
    assert document["visibility"] == "visible" and document["stdout_visibility"] == "hidden"
    assert len(document["tests"]) == CHECKS  # every check listed, whatever happened
    assert reason in document["output"]
    if score is not None:
        assert document["score"] == score
    assert "Traceback" not in json.dumps(document)
    assert "sandbox: namespaces" in stdout or os.geteuid() != 0


@pytest.mark.parametrize("kind", CORE_KINDS)
def test_results_match_dlgrade_grade_check_by_check(image: Path, kind: str,
                                                    tmp_path: Path) -> None:
    document, _ = run_autograder(image, kind)
    reference = grade_with_cli(image / "submission" / "neural_network.py", tmp_path / "out")
    assert document["tests"] == reference["tests"]
    assert document["score"] == reference["score"]
    assert document["output"] == reference["output"]
    if kind == "buggy":  # softmax over the wrong axis: softmax points lost, relu kept
        relu = sum(t["score"] for t in document["tests"] if t["tags"][0] == "relu")
        assert relu == 10 and 10 <= document["score"] < MAX_SCORE


def test_hidden_checks_get_the_chosen_visibility(image: Path) -> None:
    document, _ = run_autograder(image, "buggy")
    hidden = [t for t in document["tests"] if "hidden" in t["tags"]]
    public = [t for t in document["tests"] if "hidden" not in t["tags"]]
    assert hidden and {t["visibility"] for t in hidden} == {"after_published"}
    assert {t["visibility"] for t in public} == {"visible"}
    config = image / "source" / "dlgrade" / "platform.json"
    saved = config.read_text()
    try:
        config.write_text(json.dumps({**json.loads(saved), "hidden_visibility": "hidden"}))
        document, _ = run_autograder(image, "buggy")
    finally:
        config.write_text(saved)
    assert {t["visibility"] for t in document["tests"] if "hidden" in t["tags"]} == {"hidden"}


def test_a_grader_fault_is_a_valid_result_without_a_student_traceback(image: Path) -> None:
    config = image / "source" / "dlgrade" / "platform.json"
    saved = config.read_text()
    try:
        config.write_text('{"assignment": "no-such-assignment"}')
        document, stdout = run_autograder(image, "correct")
    finally:
        config.write_text(saved)
    assert document["score"] == 0 and document["tests"] == []
    assert "problem on the grader's side, not in your code" in document["output"]
    assert "Traceback" not in json.dumps(document)
    assert "unknown assignment 'no-such-assignment'" in document["extra_data"]["error"]
    assert "Traceback" in stdout  # the instructor's view (stdout_visibility hidden)


def test_a_missing_venv_still_gives_a_valid_result(image: Path, tmp_path: Path) -> None:
    root = tmp_path / "autograder"
    shutil.copytree(image / "source", root / "source", ignore=shutil.ignore_patterns("venv"))
    document, stdout = run_autograder(root, "correct")
    assert document["score"] == 0 and document["extra_data"]["status"] == "grader_error"
    assert "wrote no results" in stdout


def test_usage_errors_are_one_line() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["package", "gradescope", "-a", ASSIGNMENT, "-o", "out.tar",
                                  "--course", str(REPO)])
    assert result.exit_code == 2
    assert result.output.strip() == ("dlgrade: error: -o 'out.tar': a Gradescope autograder "
                                     "is a .zip file")
    result = runner.invoke(main, ["package", "gradescope", "-a", "nope", "-o", "a.zip",
                                  "--course", str(REPO)])
    assert result.exit_code == 2 and "unknown assignment 'nope'" in result.output
    result = runner.invoke(main, ["package", "classroom", "-a", ASSIGNMENT, "-o", "x",
                                  "--hidden-visibility", "hidden", "--course", str(REPO)])
    assert result.exit_code == 2 and "--hidden-visibility is for gradescope only" in result.output


FORGER = '''
import glob, json, os, time

ROOT = "@ROOT@"


def _forge():
    os.makedirs(os.path.join(ROOT, "results"), exist_ok=True)
    with open(os.path.join(ROOT, "results", "results.json"), "w") as fh:
        json.dump({"score": 999, "tests": []}, fh)


def softmax(Z):
    try:
        _forge()  # now, while grading
    except OSError:
        pass
    try:
        if os.fork() == 0:  # and later, from a process that outlives the grading
            time.sleep(2)
            try:
                _forge()
            finally:
                os._exit(0)
    except OSError:
        pass
    hidden = os.path.join(ROOT, "source", "dlgrade", "course", "assignments", "*", "hidden")
    if glob.glob(os.path.join(hidden, "*.py")):
        return np.zeros(np.shape(Z))  # could read the hidden checks: lose points
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
'''


# Gradescope runs the autograder as root in a container whose seccomp profile may
# refuse namespaces: then the sandbox is Landlock + seccomp + a uid drop, and the
# same attack must fail (the seccomp filter below refuses unshare like Docker's).
SECCOMP = REPO / "autograder" / "sandbox" / "seccomp.py"
NAMESPACES = {"allowed": ([], "namespaces"),
              "refused": ([sys.executable, str(SECCOMP), "refuse-namespaces"], "landlock")}


@pytest.mark.skipif(os.geteuid() != 0, reason="the full sandbox needs root; CI runs as root")
@pytest.mark.parametrize("namespaces", sorted(NAMESPACES))
def test_a_submission_cannot_forge_results_or_read_hidden_checks(image: Path,
                                                                 namespaces: str) -> None:
    wrapper, mode = NAMESPACES[namespaces]
    code = REFERENCE + "\n\n" + FORGER.replace("@ROOT@", str(image))
    for name in ("submission", "results"):
        shutil.rmtree(image / name, ignore_errors=True)
    (image / "submission").mkdir()
    (image / "submission" / "neural_network.py").write_text(code)
    shutil.copy2(image / "source" / "run_autograder", image / "run_autograder")
    # the workers' dropped uid must reach the venv (pytest's temp folders and /root are
    # 0700 here; on Gradescope /autograder is world-readable)
    reach = [*python_paths(), str(image / "source" / "dlgrade" / "venv")] if wrapper else []
    with traversable(reach):
        subprocess.run([*wrapper, str(image / "run_autograder")], capture_output=True,
                       text=True, timeout=300, check=True,
                       env={**os.environ, "DLGRADE_PLATFORM_ROOT": str(image)})
    time.sleep(3)  # the forked process would have written by now
    document = json.loads((image / "results" / "results.json").read_text())
    validate(document, "gradescope_results")
    assert document["extra_data"].get("sandbox") == mode, document["output"]
    # full marks: it could neither see the hidden checks nor touch the results
    assert document["score"] == MAX_SCORE and len(document["tests"]) == CHECKS


def test_an_installed_wheel_packages_only_with_a_given_wheel(image: Path, tmp_path: Path,
                                                             package: Path) -> None:
    python = str(image / "source" / "dlgrade" / "venv" / "bin" / "python")
    command = [python, "-m", "autograder.cli", "package", "gradescope", "-a", ASSIGNMENT,
               "--course", str(REPO), "-o"]
    # cwd: not the repository, whose autograder/ would shadow the installed one
    proc = subprocess.run([*command, str(tmp_path / "a.zip")], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("dlgrade: error: dlgrade package builds a wheel from dlgrade's source "
                           "tree; install dlgrade from a checkout (pip install -e DIR) or pass "
                           "--wheel\n")
    wheel = next((image / "source" / "dlgrade").glob("dlgrade-*.whl"))
    proc = subprocess.run([*command, str(tmp_path / "b.zip"), "--wheel", str(wheel)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "b.zip") as built, zipfile.ZipFile(package) as original:
        assert built.namelist() == original.namelist()
