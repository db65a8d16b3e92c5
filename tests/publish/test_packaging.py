"""What `pip install dlgrade` brings: a student's light install, nbgrader as an extra."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_a_students_install_is_numpy_pytest_click_rich_nbformat():
    project = PYPROJECT["project"]
    assert names(project["dependencies"]) == {"numpy", "pytest", "click", "rich", "nbformat",
                                              "tomli"}  # tomli: Python 3.10 only


def test_nbgrader_and_jupyter_are_an_extra_that_the_tests_pull_in():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert names(extras["nbgrader"]) == {"nbgrader", "jupyter"}
    assert "dlgrade[nbgrader]" in extras["test"]
    assert {"nbclient", "ipykernel"} <= names(extras["test"])


def test_the_wheel_carries_every_package_of_autograder():
    """Every folder of autograder/ (the check runtime included) is found by the
    package list of pyproject.toml, so no subpackage is left out of the wheel."""
    from setuptools import find_packages

    root = Path(__file__).resolve().parents[2]
    found = set(find_packages(str(root), **PYPROJECT["tool"]["setuptools"]["packages"]["find"]))
    folders = {".".join(p.parent.relative_to(root).parts)
               for p in (root / "autograder").rglob("__init__.py")}
    assert "autograder.runtime" in folders and "autograder.grading" in folders
    assert folders <= found, f"left out of the wheel: {sorted(folders - found)}"
