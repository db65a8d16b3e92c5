"""Limits too small for numpy are the instructor's error, never the students'.

Before grading, ``dlgrade grade`` loads the reference solution in the sandbox
under the chosen limits; real ``dlgrade grade`` subprocesses on real folders.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def dlgrade(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture()
def class_dir(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    for name in ("alice", "bob"):
        (subs / name).mkdir(parents=True)
        shutil.copy(REPO / "solutions" / "neural_network.py", subs / name)
    return subs


def test_memory_too_small_is_a_usage_error_naming_the_limit(class_dir: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = dlgrade("grade", class_dir, "-a", "toolkit", "-o", out, "--memory", "64")
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    match = re.fullmatch(r"dlgrade: error: --memory 64 MB is too small for numpy; at least "
                         r"(\d+) MB is needed to load solutions/neural_network.py "
                         r"\(loading failed: MemoryError\)", lines[0])
    assert match, lines[0]
    assert "Traceback" not in run.stderr
    assert not (out / "grades.csv").exists() and not (out / "alice").exists()
    # the figure it gives is honest: with that much memory, the class gets full marks
    need = match.group(1)
    run = dlgrade("grade", class_dir, "-a", "toolkit", "-o", out, "--memory", need)
    assert run.returncode == 0, run.stderr
    for student in ("alice", "bob"):
        data = json.loads((out / student / "results.json").read_text())
        assert data["score"] == 100, (student, data["output"])


def test_too_small_in_assignment_toml_names_the_setting(class_dir: Path,
                                                        tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments", course / "assignments")
    shutil.copytree(REPO / "solutions", course / "solutions")
    toml = course / "assignments" / "toolkit" / "assignment.toml"
    toml.write_text(toml.read_text().replace("memory_mb = 1024", "memory_mb = 80"))
    run = dlgrade("grade", class_dir, "-a", "toolkit", "-o", tmp_path / "out",
                  "--course", course)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("dlgrade: error: assignment.toml [limits] memory_mb = 80 MB "
                                 "is too small for numpy; at least "), run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_small_but_sufficient_timeout_grades_normally(class_dir: Path, tmp_path: Path) -> None:
    # numpy is imported before the worker is forked: a short timeout is not refused
    out = tmp_path / "out"
    run = dlgrade("grade", class_dir, "-a", "toolkit", "-o", out, "--timeout", "0.5")
    assert run.returncode == 0, run.stderr
    assert "graded 2 submissions" in run.stdout and ", 0 did not load," in run.stdout


def test_timeout_too_short_to_load_the_reference_names_the_setting(class_dir: Path,
                                                                   tmp_path: Path) -> None:
    # a reference that takes 1.5 s to load (it reads data, say) and 1 s allowed to load
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments", course / "assignments")
    shutil.copytree(REPO / "solutions", course / "solutions")
    reference = course / "solutions" / "neural_network.py"
    reference.write_text(reference.read_text() + "\nimport time\ntime.sleep(1.5)\n")
    toml = course / "assignments" / "toolkit" / "assignment.toml"
    toml.write_text(toml.read_text().replace("import_timeout = 10", "import_timeout = 1"))
    run = dlgrade("grade", class_dir, "-a", "toolkit", "-o", tmp_path / "out",
                  "--course", course)
    assert run.returncode == 2, run.stderr
    assert re.fullmatch(r"dlgrade: error: assignment.toml \[limits\] import_timeout = 1 s is "
                        r"too short: loading solutions/neural_network.py and one numpy call "
                        r"took \d+\.\d\d s in the sandbox\n", run.stderr), run.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
