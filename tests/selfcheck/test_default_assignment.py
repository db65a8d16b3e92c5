"""`dlgrade check` without -a: `toolkit` in the course's own template, the only
assignment of a course without one, and a one-line question otherwise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.errors import UsageError
from autograder.selfcheck.run import default_assignment
from conftest import tool_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "course-extension"


def test_default_assignment_rules() -> None:
    assert default_assignment(["activations", "toolkit"]) == "toolkit"
    assert default_assignment(["mlp"]) == "mlp"
    assert default_assignment([]) == "toolkit"  # then: "unknown assignment 'toolkit' ..."
    with pytest.raises(UsageError) as caught:
        default_assignment(["mlp", "mlp_deep"])
    assert str(caught.value) == "which assignment? pass -a with one of: mlp, mlp_deep"


def test_check_without_a_in_a_template_with_two_other_assignments(tmp_path: Path) -> None:
    template = tmp_path / "student"
    shutil.copytree(EXAMPLE / "student_template", template)
    shutil.copytree(template / "tests" / "mlp", template / "tests" / "mlp_deep")
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "check"], cwd=template,
                         capture_output=True, text=True, timeout=300, check=False,
                         env=tool_env())
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "dlgrade: error: which assignment? pass -a with one of: mlp, mlp_deep\n"
