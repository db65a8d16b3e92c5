"""The student template: up to date, leak-free, and working with plain pytest."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from autograder.errors import ConfigError, UsageError
from autograder.publish.template import (
    BEGIN,
    END,
    SOLUTION_FILE,
    generate_template,
    stub_source,
    template_files,
)
from autograder.publish.nbgrader_course import split_solution
from autograder.grading.collection import check_id

COURSE = Path(__file__).resolve().parents[2]
TEMPLATE = COURSE / "student_template"
CACHES = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
# Run pytest with dlgrade made unimportable: the template must not need it.
NO_DLGRADE = ("import sys; sys.modules['autograder'] = None; import pytest; "
              "raise SystemExit(pytest.main(sys.argv[1:]))")


def committed_files() -> dict[str, str]:
    return {p.relative_to(TEMPLATE).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(TEMPLATE.rglob("*"))
            if p.is_file() and not CACHES & set(p.relative_to(TEMPLATE).parts)}


def solution_body_lines() -> list[str]:
    """Every non-trivial line between the solution fences, stripped."""
    body, inside = [], False
    for line in (COURSE / SOLUTION_FILE).read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text in (BEGIN, END):
            inside = text == BEGIN
        elif inside and len(text) >= 8:
            body.append(text)
    return body


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", NO_DLGRADE, "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def template_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "student"
    generate_template(COURSE, folder)
    return folder


# ------------------------------------------------------------------ staleness


def test_committed_template_is_up_to_date():
    expected = template_files(COURSE)
    assert TEMPLATE.is_dir(), "student_template/ is missing: run `dlgrade generate`"
    committed = committed_files()
    assert sorted(committed) == sorted(expected), (
        "student_template/ has other files than the generator writes: run `dlgrade generate`")
    for name, text in expected.items():
        assert committed[name] == text, f"student_template/{name} is stale: run `dlgrade generate`"


def test_generation_is_deterministic_and_drops_removed_checks(tmp_path: Path):
    out = tmp_path / "tpl"
    written = generate_template(COURSE, out)
    first = {p: p.read_bytes() for p in written}
    leftover = out / "tests" / "activations" / "test_removed_check.py"
    leftover.write_text("def test_gone(): pass\n")
    assert generate_template(COURSE, out) == written
    assert {p: p.read_bytes() for p in written} == first  # byte for byte the same
    assert not leftover.exists()  # a check no longer in the course is gone


def test_refuses_to_write_into_a_folder_that_is_not_a_template(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not a student template"):
        generate_template(COURSE, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# ------------------------------------------------------------------ the stubs


def test_stub_keeps_every_signature_and_docstring_and_raises():
    solution = ast.parse((COURSE / SOLUTION_FILE).read_text(encoding="utf-8"))
    stub_text = template_files(COURSE)["neural_network.py"]
    compile(stub_text, "neural_network.py", "exec")  # valid Python
    stub = {n.name: n for n in ast.parse(stub_text).body if isinstance(n, ast.FunctionDef)}
    for fn in (n for n in solution.body if isinstance(n, ast.FunctionDef)):
        mine = stub[fn.name]
        assert ast.dump(mine.args) == ast.dump(fn.args), f"{fn.name}: signature changed"
        assert ast.dump(mine.returns) == ast.dump(fn.returns), f"{fn.name}: return type changed"
        assert ast.get_docstring(mine) == ast.get_docstring(fn), f"{fn.name}: docstring changed"
        if fn.name.startswith("_"):
            continue  # a module helper outside the fences stays as it is
        # the body is the docstring and one raise naming the function
        assert len(mine.body) == 2 and isinstance(mine.body[1], ast.Raise), fn.name
        assert ast.unparse(mine.body[1]) == f"raise NotImplementedError('Write {fn.name} here')"
    assert "reference implementation" not in stub_text.lower()
    assert "instructor" not in stub_text.lower()


def test_stub_functions_raise_not_implemented_error(template_copy: Path):
    spec = importlib.util.spec_from_file_location("stub_nn", template_copy / "neural_network.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(NotImplementedError, match="Write relu here"):
        module.relu(np.zeros((2, 2)))
    assert module._identity(3.0) == 3.0  # helpers outside the fences still work


@pytest.mark.parametrize("source, problem", [
    (f"def f():\n    {BEGIN}\n    return 1\n", "without"),
    (f"def f():\n    return 1\n    {END}\n", "without"),
    (f"def f():\n    {BEGIN}\n    {BEGIN}\n    return 1\n    {END}\n", "nested"),
    (f"{BEGIN}\nx = 1\n{END}\n", "outside"),
], ids=["no-end", "no-begin", "nested", "module-level"])
def test_malformed_fences_are_reported(source: str, problem: str):
    with pytest.raises(ConfigError, match=problem):
        stub_source(source)


def test_nested_indentation_is_kept():
    source = (f"class K:\n    def m(self):\n        '''Doc.'''\n        {BEGIN}\n"
              f"        return 1\n        {END}\n")
    stub = stub_source(source)
    assert "        raise NotImplementedError(\"Write m here\")\n" in stub
    compile(stub, "k.py", "exec")


# ------------------------------------------------------------------ no leaks


def test_template_holds_no_hidden_check_and_no_solution():
    files = committed_files()
    assignments = COURSE / "assignments"
    hidden_files = sorted(assignments.glob("*/hidden/*.py"))
    public_names = {n.name for p in assignments.glob("*/public/*.py")
                    for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.FunctionDef)}
    hidden_names = {n.name for p in hidden_files for n in ast.walk(ast.parse(p.read_text()))
                    if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    spec = importlib.util.spec_from_file_location("course_mistakes", assignments / "mistakes.py")
    assert spec and spec.loader
    mistakes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mistakes)
    mistake_texts = {text for entries in mistakes.MISTAKES.values()
                     for message, wrong in entries for text in (message, f"def {wrong.__name__}(")}
    assert hidden_files and hidden_names and mistake_texts  # the test is not vacuous

    for name, text in files.items():
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN"):
            assert marker not in text, f"{name} contains '{marker}'"
        for hidden in hidden_files:
            assert hidden.read_text() not in text, f"{name} contains {hidden}"
        for check in hidden_names - public_names:
            assert not re.search(rf"\b{check}\b", text), f"{name} names hidden check {check}"
        for leaked in mistake_texts:
            assert leaked not in text, f"{name} contains assignments/mistakes.py: {leaked!r}"

    body = solution_body_lines()
    assert body
    stub_lines = {line.strip() for line in files["neural_network.py"].splitlines()}
    for line in body:
        assert line not in stub_lines, f"neural_network.py contains a solution line: {line}"
    prose = "\n".join(files[n] for n in ("README.md", "exercises.ipynb", "conftest.py"))
    for line in (line for line in body if len(line) >= 20):
        assert line not in prose, f"a solution line leaked into the template: {line}"


# ------------------------------------------------------------------ plain pytest


def summary(run: subprocess.CompletedProcess[str]) -> dict[str, int]:
    last = run.stdout.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last)}


@pytest.mark.slow
def test_plain_pytest_fails_on_stubs_and_passes_with_the_solution(template_copy: Path):
    stubs = run_pytest(template_copy)
    counts = summary(stubs)
    assert stubs.returncode == 1, stubs.stdout + stubs.stderr  # 1: checks failed, 2+: broken
    assert counts.get("failed", 0) > 0 and "error" not in counts and "errors" not in counts
    assert "NotImplementedError" in stubs.stdout
    # the same message as dlgrade check, from the same runtime (tests/_dlgrade/checkrun.py)
    assert ("relu is not written yet: it raises NotImplementedError (neural_network.py, line "
            in stubs.stdout)

    shutil.copy(COURSE / SOLUTION_FILE, template_copy / "neural_network.py")
    solved = run_pytest(template_copy)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    solved_counts = summary(solved)
    assert solved_counts["passed"] == counts["failed"]  # every check, now passing
    assert not {"failed", "error", "errors"} & set(solved_counts)


@pytest.mark.slow
def test_rng_is_seeded_by_check_name_as_in_the_grader(template_copy: Path, tmp_path: Path):
    # A probe check records its first draw; the grader seeds with crc32(check id).
    record = tmp_path / "draws.json"
    probe = template_copy / "tests" / "activations" / "test_probe.py"
    probe.write_text(
        "import json, pytest\n"
        "@pytest.mark.parametrize('n', [1], ids=['one'])\n"
        f"def test_probe_seed(rng, n):\n"
        f"    with open({str(record)!r}, 'w') as f:\n"
        "        json.dump(int(rng.integers(2**31)), f)\n")
    run = run_pytest(template_copy, "tests/activations/test_probe.py")
    assert run.returncode == 0, run.stdout + run.stderr
    grader_id = check_id(SimpleNamespace(name="test_probe_seed[one]"))  # type: ignore[arg-type]
    assert grader_id == "probe_seed[one]"
    expected = np.random.default_rng(zlib.crc32(grader_id.encode())).integers(2**31)
    assert json.loads(record.read_text()) == int(expected)


# ------------------------------------------------------------------ notebook


def notebook_cells() -> list:
    notebook = nbformat.reads(template_files(COURSE)["exercises.ipynb"], as_version=4)
    nbformat.validate(notebook)
    return notebook.cells


def test_notebook_is_a_place_to_write_relu_and_softmax_each_followed_by_its_check():
    cells = notebook_cells()
    code = [c for c in cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    by_id = {c.id: i for i, c in enumerate(cells)}
    stubs = stub_source((COURSE / SOLUTION_FILE).read_text())
    for function in ("relu", "softmax"):
        write = cells[by_id[f"write-{function}"]]
        # the stub of neural_network.py: signature, the course's docstring, NotImplementedError
        assert write.source.startswith(f"def {function}(Z: Array) -> Array:\n    \"\"\"")
        assert write.source in stubs
        assert write.source.rstrip().endswith(f'raise NotImplementedError("Write {function} here")')
        following = cells[by_id[f"write-{function}"] + 1]
        assert following.source == f'check("{function}")'


def test_notebook_has_the_four_course_exercises_each_followed_by_its_check():
    cells = notebook_cells()
    exercises = [(i, c) for i, c in enumerate(cells) if c.id.startswith("exercise-")]
    assert [c.id for _, c in exercises] == [f"exercise-{n}" for n in (1, 2, 3, 4)]
    expected_checks = ['check("relu_course_matrix")',
                       'check("softmax_probabilities_in_range", "softmax_rows_sum_to_one")',
                       'check("relu_zero_count_course")', 'check("softmax_extreme_scores")']
    for (index, cell), check in zip(exercises, expected_checks, strict=True):
        assert cell.metadata["tags"] == ["raises-exception"]  # "Run All" goes on past it
        assert cells[index + 1].source == check
    # the course's data: the 4x3 matrix, randn(3, 5), uniform(-5, 5), and integers in 4
    sources = [c.source for _, c in exercises]
    assert "np.array([[-1.5, 2.0, 0.0], [-0.5, -2.0, 1.5], [3.0, -1.0, 0.5], [-3.0, 4.0, -0.2]])" \
        in sources[0]
    assert "np.random.randn(3, 5)" in sources[1]
    assert "np.random.uniform(-5, 5, (5, 4))" in sources[2]
    assert "np.array([[1000, 1000, 1000], [-1000, -1000, -1000]])" in sources[3]
    assert cells[-2].source == "check_all()"
    # no PATH lookup, no subprocess: the checks run in the kernel
    text = "".join(c.source for c in cells)
    for banned in ("shutil.which", "subprocess", "import dlgrade"):
        assert banned not in text


def test_notebook_says_which_file_is_graded_and_that_hidden_checks_exist():
    intro = notebook_cells()[0].source
    assert "**Which file is graded?**" in intro and "`exercises.ipynb`" in intro
    assert "hidden checks" in intro and "sandbox" in intro


@pytest.mark.parametrize("source, problem", [
    ("text\n```python\nx = 1\n", "never closed"),
    ("```python {stub=nope}\n```\n", "no function 'nope'"),
    ("```python {id=a}\n```\n```python {id=a}\n```\n", "same id"),
    ("```python {colour=red}\n```\n", "attributes are"),
])
def test_malformed_notebook_source_is_reported(source: str, problem: str):
    with pytest.raises(ConfigError, match=problem):
        notebook_cells_of(source)


def notebook_cells_of(source: str) -> list:
    from autograder.publish.template import notebook_cells as parse

    return parse(source, stubs={"relu": "def relu(Z):\n    raise NotImplementedError\n"})


def test_notebook_exercises_run_with_the_solution(template_copy: Path):
    # the notebook's code cells with the reference bodies, run as one script
    cells = nbformat.reads((template_copy / "exercises.ipynb").read_text(), as_version=4).cells
    reference = (COURSE / SOLUTION_FILE).read_text()
    solution = {name: "\n".join(line for line in code.splitlines() if "### " not in line)
                for name, code in split_solution(reference).functions.items()}
    code = [solution[c.id[6:]] if c.id.startswith("write-") else c.source
            for c in cells if c.cell_type == "code" and not c.source.startswith("check")]
    run = subprocess.run([sys.executable, "-c", "\n\n".join(code)], cwd=template_copy,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "[[0.  2.  0. ]" in run.stdout  # exercise 1: relu of the first row
    assert "should be close to 1):\n [1. 1. 1.]" in run.stdout  # exercise 2
    assert "entries set to 0:" in run.stdout  # exercise 3
    assert "[[0.33333333 0.33333333 0.33333333]" in run.stdout  # exercise 4
