"""Shared fixtures: the repository (a real course root) and reference code."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def reference_source() -> str:
    return (REPO / "solutions" / "neural_network.py").read_text()
