"""CI cannot skip: under CI=true a skipped test fails the run (tests/conftest.py),
also in the sub-folders the tests live in (tests/<package>/), and a run that
collects nothing fails .ci/run; every tests/**/test_*.py file is collected by
the command CI runs, so a folder that silently stops being collected fails.
Real pytest subprocesses on a throw-away test folder that uses this
repository's conftest, and on this repository's own tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ALLOWED_SKIPS, tool_env

REPO = Path(__file__).resolve().parent.parent
DEMO = '''
import pytest


def test_passes():
    assert True


def test_skips():
    pytest.skip("no widget here")


@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
'''
MODULE_SKIP = 'import pytest\n\npytest.importorskip("no_such_module_for_dlgrade")\n'


def run_pytest(folder: Path, ci: str | None) -> subprocess.CompletedProcess:
    env = tool_env()
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-rA", str(folder)], capture_output=True, text=True, env=env,
                          cwd=folder, timeout=300)


def make_suite(tmp_path: Path, source: str, *, under: str = "") -> Path:
    """A test folder with this repository's conftest and ``test_demo.py`` (in
    the sub-folder ``under`` when given, as tests/<package>/ are)."""
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(REPO / "tests" / "conftest.py", folder / "conftest.py")
    (folder / under).mkdir(parents=True, exist_ok=True)
    (folder / under / "test_demo.py").write_text(source)
    return folder


def test_a_skip_fails_under_ci(tmp_path: Path) -> None:
    folder = make_suite(tmp_path, DEMO)
    run = run_pytest(folder, "true")
    assert run.returncode == 1, run.stdout
    assert "1 failed, 1 passed, 1 xfailed" in run.stdout, run.stdout
    assert ("FAILED test_demo.py::test_skips - skipped under CI=true, which counts as a "
            "failure: no widget here") in run.stdout, run.stdout


def test_a_skip_in_a_package_folder_fails_under_ci(tmp_path: Path) -> None:
    folder = make_suite(tmp_path, DEMO, under="grading")
    run = run_pytest(folder, "true")
    assert run.returncode == 1, run.stdout
    assert "1 failed, 1 passed, 1 xfailed" in run.stdout, run.stdout
    assert ("FAILED grading/test_demo.py::test_skips - skipped under CI=true, which counts "
            "as a failure: no widget here") in run.stdout, run.stdout


def test_a_skip_is_only_a_skip_outside_ci(tmp_path: Path) -> None:
    folder = make_suite(tmp_path, DEMO)
    run = run_pytest(folder, None)
    assert run.returncode == 0, run.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in run.stdout, run.stdout


def test_a_module_level_skip_fails_under_ci(tmp_path: Path) -> None:
    folder = make_suite(tmp_path, MODULE_SKIP)
    run = run_pytest(folder, "true")
    assert run.returncode != 0, run.stdout
    assert "skipped under CI=true, which counts as a failure: could not import " \
        "'no_such_module_for_dlgrade'" in run.stdout, run.stdout


def test_no_skip_is_allowed() -> None:
    # every test runs as root on a fresh Debian machine; a real exception would be
    # listed here with its reason
    assert ALLOWED_SKIPS == {}


def test_ci_run_fails_when_nothing_is_collected(tmp_path: Path) -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    assert script.rstrip().splitlines()[-1].endswith(".venv/bin/python -m pytest")
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_pytest(empty, "true")
    assert run.returncode == 5, run.stdout  # so `set -e` ends .ci/run with 5 as well


@pytest.mark.slow
def test_ci_collects_every_test_file() -> None:
    # the command .ci/run ends with (pytest from the repository, testpaths = tests)
    # collects a test from every tests/**/test_*.py, whatever folder it is in
    env = tool_env()
    env.pop("CI", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "-p", "no:cacheprovider"], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    collected = {line.split("::", 1)[0] for line in run.stdout.splitlines() if "::" in line}
    on_disk = {p.relative_to(REPO).as_posix() for p in (REPO / "tests").rglob("test_*.py")}
    assert len(collected) == len(on_disk)
    assert collected == on_disk
    # and the folders are really used: tests live in tests/<package>/ too
    assert any(name.count("/") > 1 for name in on_disk)
