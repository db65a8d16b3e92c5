"""The code's own bar, held by the suite: ruff and ``mypy --strict`` clean on
``autograder/`` (strict is in pyproject.toml), and no module over 350 lines.
The tools run from the interpreter running the tests, not from PATH."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_LINES = 350


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def test_ruff_is_clean() -> None:
    proc = run("ruff", "check", "autograder", "tests", "bench")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    proc = run("mypy")
    assert "strict = true" in (REPO / "pyproject.toml").read_text()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Success: no issues found in")


def test_no_module_is_over_350_lines() -> None:
    sizes = {p.relative_to(REPO).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in (REPO / "autograder").rglob("*.py")}
    assert len(sizes) > 50
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}
