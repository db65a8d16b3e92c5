"""`submit` in assignment.toml: a file name, or a list whose last file is graded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.course.assignment import load_assignment
from autograder.errors import ConfigError
from autograder.publish.template import template_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "course-extension"
LIST = 'submit = ["neural_network.py", "mlp.py"]'


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def set_submit(course: Path, line: str) -> Path:
    toml = course / "assignments" / "mlp" / "assignment.toml"
    text = toml.read_text()
    assert LIST in text
    toml.write_text(text.replace(LIST, line))
    return toml


def test_a_list_names_the_graded_file_last(course: Path) -> None:
    assignment = load_assignment(course, "mlp")
    assert (assignment.submit, assignment.also_submit) == ("mlp.py", ("neural_network.py",))
    assert assignment.submit_files == ("neural_network.py", "mlp.py")


@pytest.mark.parametrize("line", ['submit = []', 'submit = ["mlp.py", "mlp.py"]',
                                  'submit = ["neural_network.py", "mlp.ipynb"]',
                                  'submit = ["lib/neural_network.py", "mlp.py"]'],
                         ids=["empty", "repeated", "not-py", "folder"])
def test_a_bad_list_is_a_config_error(course: Path, line: str) -> None:
    toml = set_submit(course, line)
    with pytest.raises(ConfigError) as caught:
        load_assignment(course, "mlp")
    assert str(caught.value) == (f"{toml}: submit must be a file name or a list of distinct "
                                 "file names ending in .py (the last one holds the functions)")


def test_generate_stubs_every_submitted_file_once(course: Path) -> None:
    files = template_files(course)
    assert [n for n in files if "/" not in n and n.endswith(".py")] == [
        "conftest.py", "mlp.py", "neural_network.py"]
    # a single string still works: the template then has only that file's stub
    set_submit(course, 'submit = "neural_network.py"')
    toml = course / "assignments" / "mlp" / "assignment.toml"
    toml.write_text(toml.read_text().replace('functions = ["forward_mlp"]',
                                             'functions = ["relu"]')
                    .replace("forward_mlp = 10", "relu = 10"))
    assert "mlp.py" not in template_files(course)
