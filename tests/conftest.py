"""Shared fixtures (the repository, a real course root, and reference code),
the tools tests run, and the rule that CI cannot skip.

Tools come from the running interpreter, never from PATH: ``python -m
nbgrader`` with ``sys.executable``, and subprocesses get ``sys.executable``'s
folder first on their PATH (``.venv/bin`` when run as ``.venv/bin/python -m
pytest``, whatever the caller's PATH).

Under ``CI=true`` a skipped test is a failure, except the skips listed in
:data:`ALLOWED_SKIPS` with the reason they cannot run as root on a fresh
Debian machine (there are none).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)
NBGRADER = [sys.executable, "-m", "nbgrader"]

# test node id -> why it cannot run as root on a fresh Debian machine
ALLOWED_SKIPS: dict[str, str] = {}


def tool_env(**changes: str) -> dict[str, str]:
    """This process's environment with the interpreter's folder first on PATH."""
    env = dict(os.environ, **changes)
    env["PATH"] = os.pathsep.join([BIN, env.get("PATH", "")]).rstrip(os.pathsep)
    return env


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def reference_source() -> str:
    return (REPO / "solutions" / "neural_network.py").read_text()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _skip_reason(longrepr: Any) -> str:
    text = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 \
        else str(longrepr)
    return text.removeprefix("Skipped: ")


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skip into a failure under CI=true (unless it is allowed)."""
    if not in_ci() or not report.skipped or hasattr(report, "wasxfail"):
        return
    if report.nodeid in ALLOWED_SKIPS:
        return
    report.outcome = "failed"
    report.longrepr = (f"skipped under CI=true, which counts as a failure: "
                       f"{_skip_reason(report.longrepr)} (a skip that truly cannot run as root "
                       "on a fresh Debian machine goes in ALLOWED_SKIPS in tests/conftest.py, "
                       "with its reason)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    _fail_skip(outcome.get_result())  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _fail_skip(outcome.get_result())  # type: ignore[attr-defined]
