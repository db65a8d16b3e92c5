"""Generate an nbgrader course from the course content (``dlgrade nbgrader init``).

For each assignment this writes ``source/<id>/<id>.ipynb``, a notebook that
nbgrader's ``generate_assignment`` turns into the students' version:

* a markdown introduction (the assignment's title and README);
* a read-only cell with the toolkit's imports (from ``solutions/``);
* a read-only *setup* cell: verbatim copies of dlgrade's check runtime
  (``runtime/checkrun.py``), ``checklib`` and ``helpers`` (public) and
  ``runtime/nbsetup.py``, which gives the test cells the fixtures the checks
  use (``student``, ``expect``, ``rng`` seeded as in the grader, ``helpers``),
  so the test cells need nothing installed;
* per function, a *solution* cell (the reference function with its body
  between ``### BEGIN SOLUTION`` / ``### END SOLUTION``) and an autograded
  *test* cell worth the function's points: the public checks' source, visible,
  and the hidden checks' inside ``### BEGIN HIDDEN TESTS`` /
  ``### END HIDDEN TESTS``. A test cell runs every check, prints one line per
  check and ends with its score, which nbgrader reads as partial credit.

Checks are collected with pytest itself (markers, parametrize ids and values
exactly as the grader sees them); their source is taken with :mod:`ast`,
decorators removed. nbgrader and nbformat are imported only inside functions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.errors import ConfigError, UsageError
from autograder.grading.collection import check_id, collect, spec_of
from autograder.results import CheckSpec
from autograder.runtime.checkrun import FIXTURES

ENGINE = Path(__file__).resolve().parents[1]  # the autograder package
SOLUTION_FILE = Path("solutions") / "neural_network.py"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
DEFAULT_COURSE_ID = "dl-numpy"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


@dataclass(frozen=True)
class CheckCase:
    """One collected check (one parametrize case), as a test cell runs it."""

    id: str  # e.g. "softmax_matches_definition[4x10]"
    test: str  # the test function's name
    function: str  # the toolkit function (first tag)
    points: float
    hidden: bool
    file: Path
    params: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- collection


def collect_checks(assignment: Assignment) -> list[CheckCase]:
    """Every check of ``assignment`` (public, then hidden), as pytest collects them.

    Raises:
        ConfigError: the checks cannot be collected or their points do not add up.
    """
    from autograder.grading.session import validate_points

    collected = collect(assignment.check_files(hidden=True))
    cases: list[CheckCase] = []
    errors = collected.error_lines()
    for item in collected.items:
        try:
            spec = spec_of(item)
            if getattr(item, "cls", None) is not None:
                raise pytest.UsageError(f"{item.nodeid}: checks must be plain functions")
            callspec = getattr(item, "callspec", None)
            cases.append(CheckCase(
                id=check_id(item), test=getattr(item, "originalname", item.name),
                function=spec.function, points=spec.points,
                hidden=spec.visibility == "hidden", file=Path(str(item.path)),
                params=dict(callspec.params) if callspec else {}))
        except Exception as exc:  # noqa: BLE001 - reported as a ConfigError below
            errors.append(str(exc))
    if errors or collected.exit_code not in (0, 5) or not cases:
        detail = "\n".join(errors) or f"pytest exit code {collected.exit_code}"
        raise ConfigError(f"the checks of '{assignment.id}' could not be collected:\n{detail}")
    validate_points(assignment, [CheckSpec(c.id, c.function, c.points,
                                           "hidden" if c.hidden else "public", "")
                                 for c in cases])
    return cases


# ---------------------------------------------------------------- source


def _segment(lines: list[str], node: ast.stmt, *, decorators: bool) -> str:
    first = node.lineno
    if decorators and isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.decorator_list:
        first = min(d.lineno for d in node.decorator_list)
    return "".join(lines[first - 1:node.end_lineno]).rstrip() + "\n"


def _is_pytest_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name == "pytest" for a in node.names)
    return isinstance(node, ast.ImportFrom) and node.module in ("pytest", "__future__")


@dataclass
class CheckFile:
    """A check file split for a notebook: imports, helpers, and test functions."""

    imports: list[str]
    support: list[str]
    tests: dict[str, str]


def split_check_file(path: Path) -> CheckFile:
    """Split a check file; decorators of test functions are dropped.

    Raises:
        ConfigError: a fixture of its own, or ``pytest`` used inside a check.
    """
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source, str(path))
    parts = CheckFile(imports=[], support=[], tests={})
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if not _is_pytest_import(node):
                parts.imports.append(_segment(lines, node, decorators=False))
            continue
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            continue
        if isinstance(node, ast.FunctionDef):
            if any("fixture" in ast.unparse(d) for d in node.decorator_list):
                raise ConfigError(f"{path}: fixture '{node.name}': checks may only use the "
                                  f"fixtures {', '.join(FIXTURES)}")
            body = ast.Module(body=node.body, type_ignores=[])
            if any(isinstance(n, ast.Name) and n.id == "pytest" for n in ast.walk(body)):
                raise ConfigError(f"{path}: '{node.name}' uses pytest inside its body; "
                                  "notebook test cells run without pytest")
            if node.name.startswith("test"):
                parts.tests[node.name] = _segment(lines, node, decorators=False)
                continue
        parts.support.append(_segment(lines, node, decorators=True))
    return parts


def _literal(value: Any, case: CheckCase) -> str:
    text = repr(value)
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ConfigError(f"check '{case.id}': parameter value {text[:60]} is not a Python "
                          "literal (numbers, strings, tuples, lists, dicts)") from None
    return text


def _run_line(case: CheckCase) -> str:
    args = [case.test, repr(case.id), f"points={case.points:g}"]
    if case.hidden:
        args.append("hidden=True")
    args += [f"{name}={_literal(value, case)}" for name, value in case.params.items()]
    return f"checks.run({', '.join(args)})\n"


def _file_block(parts: CheckFile, cases: list[CheckCase]) -> str:
    """The code of one check file's checks of one function: helpers, tests, runs."""
    wanted = {c.test for c in cases}
    chunks = ["".join(dict.fromkeys(parts.imports))] if parts.imports else []
    chunks += parts.support
    chunks += [src for name, src in parts.tests.items() if name in wanted]
    chunks.append("".join(_run_line(c) for c in cases))
    return "\n\n".join(chunk.rstrip("\n") for chunk in chunks) + "\n"


def test_cell_source(function: str, points: float, cases: list[CheckCase]) -> str:
    """The autograded test cell of ``function``: public checks, then hidden ones."""
    files: dict[Path, CheckFile] = {}

    def blocks(selected: list[CheckCase]) -> Iterator[str]:
        for path in dict.fromkeys(c.file for c in selected):
            if path not in files:
                files[path] = split_check_file(path)
            yield _file_block(files[path], [c for c in selected if c.file == path])

    public = [c for c in cases if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    text = (f"# Checks of {function}() ({points:g} points). Run the cell that defines "
            f"{function} first.\nchecks = Checks({function!r}, points={points:g})\n\n")
    text += "\n\n".join(b.rstrip("\n") for b in blocks(public)) + "\n"
    if hidden:
        text += f"\n{BEGIN_HIDDEN}\n"
        text += "\n\n".join(b.rstrip("\n") for b in blocks(hidden))
        text += f"\n{END_HIDDEN}\n"
    return text + "\nchecks.score()\n"


@dataclass
class Toolkit:
    """``solutions/neural_network.py`` split into its preamble and its functions."""

    preamble: str
    functions: dict[str, str]


def split_solution(source: str, path: Path = SOLUTION_FILE) -> Toolkit:
    """Split the reference toolkit: preamble (imports, aliases, private helpers) and
    one source text per public function (decorators, docstring and fences kept)."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source, str(path))
    preamble: list[str] = []
    functions: dict[str, str] = {}
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            # end_lineno is the last statement: take the indented lines after it
            # too (the END SOLUTION fence is a comment)
            end = node.end_lineno or node.lineno
            while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t"):
                end += 1
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            functions[node.name] = "".join(lines[first - 1:end]).rstrip() + "\n"
        else:
            preamble.append(_segment(lines, node, decorators=True))
    text, previous = "", ""
    for chunk in preamble:  # imports and aliases in groups, two blank lines around defs
        kind = "def" if chunk.lstrip().startswith(("def ", "class ", "@")) else (
            "import" if chunk.startswith(("import ", "from ")) else "other")
        if text:
            text += "" if kind == previous != "def" else ("\n\n" if "def" in (kind, previous)
                                                         else "\n")
        text += chunk
        previous = kind
    return Toolkit(preamble=text, functions=functions)


# ---------------------------------------------------------------- notebook


SETUP_SOURCES = {"checkrun": ENGINE / "runtime" / "checkrun.py",
                 "checklib": ENGINE / "checklib.py",
                 "helpers": ENGINE / "sandbox" / "helpers.py"}
SETUP_FILE = ENGINE / "runtime" / "nbsetup.py"
SETUP_HEADER = ("# Support for the test cells (generated by dlgrade; read-only): dlgrade's\n"
                "# runtime/nbsetup.py, then verbatim copies of its check runtime, checklib and "
                "helpers.\n")
QUOTES = "\'" * 3


def setup_cell_source() -> str:
    """The read-only cell that gives the test cells their fixtures.

    ``runtime/nbsetup.py`` verbatim, one line of verbatim copies of the runtime
    files, and one line installing them into the notebook's namespace.
    """
    sources = {}
    for name, path in SETUP_SOURCES.items():
        text = path.read_text(encoding="utf-8")
        if QUOTES in text or text.rstrip().endswith("\\"):
            raise ConfigError(f"{path} cannot be inlined (it contains {QUOTES})")
        sources[name] = text
    literal = ", ".join(f"{name!r}: r{QUOTES}{text}{QUOTES}" for name, text in sources.items())
    return (SETUP_HEADER + SETUP_FILE.read_text(encoding="utf-8")
            + f"\n\nDLGRADE_SOURCES = {{{literal}}}\ninstall(DLGRADE_SOURCES, globals())\n")


INTRO_FOOTER = """
## How this notebook works

Write each function in its cell, in place of `raise NotImplementedError()`,
and run it; then run the test cell below it. A test cell prints `PASS` or
`FAIL` (with the reason) for every check and ends with the points you have
earned. Do not edit the read-only cells.

When your work is graded, hidden checks run as well (other shapes, integer
input, extreme values, leaving your inputs unchanged).
"""


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False,
              locked: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points if not float(points).is_integer() else int(points)
    return {"nbgrader": meta}


def build_notebook(course_root: Path, assignment: Assignment) -> Any:
    """The nbgrader source notebook of ``assignment`` (an ``nbformat`` notebook).

    Raises:
        ConfigError: a function has no reference or no solution fences, or the
            checks cannot be collected.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    solution = course_root / SOLUTION_FILE
    if not solution.is_file():
        raise UsageError(f"no reference toolkit at '{solution}' (pass --course DIR)")
    toolkit = split_solution(solution.read_text(encoding="utf-8"), solution)
    cases = collect_checks(assignment)

    readme = assignment.readme.strip()
    if readme.startswith("# "):
        readme = readme.split("\n", 1)[1].strip() if "\n" in readme else ""
    cells = [
        new_markdown_cell(f"# {assignment.title}\n\n{readme}\n{INTRO_FOOTER}".strip(),
                          id="intro", metadata=_nbgrader("intro", locked=True)),
        new_code_cell(toolkit.preamble.strip(), id="imports",
                      metadata=_nbgrader("imports", locked=True)),
        new_code_cell(setup_cell_source().strip(), id="dlgrade-setup",
                      metadata=_nbgrader("dlgrade_setup", locked=True)),
    ]
    for function in assignment.functions:
        code = toolkit.functions.get(function)
        if code is None:
            raise ConfigError(f"{solution}: no function '{function}' (assignment "
                              f"'{assignment.id}')")
        if BEGIN_SOLUTION not in code or END_SOLUTION not in code:
            raise ConfigError(f"{solution}: '{function}' has no {BEGIN_SOLUTION} / "
                              f"{END_SOLUTION} fences, so nbgrader would hand out its code")
        mine = [c for c in cases if c.function == function]
        points = assignment.points[function]
        cells.append(new_markdown_cell(f"## `{function}`", id=f"heading-{function}",
                                       metadata=_nbgrader(f"heading_{function}", locked=True)))
        cells.append(new_code_cell(code.strip(), id=f"solution-{function}",
                                   metadata=_nbgrader(f"solution_{function}", solution=True)))
        cells.append(new_code_cell(test_cell_source(function, points, mine).strip(),
                                   id=f"test-{function}",
                                   metadata=_nbgrader(f"test_{function}", grade=True,
                                                      locked=True, points=points)))
    nb = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC,
                                             "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


# ---------------------------------------------------------------- the course


CONFIG_TEMPLATE = '''\
# nbgrader configuration of this course, generated by `dlgrade nbgrader init`.
# Run the nbgrader commands from this folder. See `nbgrader --help-all`.
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = {course_id!r}
{exchange_line}
# Seconds a notebook cell may run during validate/autograde.
c.Execute.timeout = 120
# Submissions of students not yet in the gradebook are added when autograded.
c.Autograde.create_student = True
'''


def config_text(*, course_id: str, exchange: Path | None) -> str:
    """The text of ``nbgrader_config.py``."""
    if exchange is None:
        line = ("# The exchange folder shared by instructors and students (nbgrader's default):\n"
                "# c.Exchange.root = '/srv/nbgrader/exchange'\n")
    else:
        line = ("# The exchange folder shared by instructors and students:\n"
                f"c.Exchange.root = {str(Path(exchange).resolve())!r}\n")
    return CONFIG_TEMPLATE.format(course_id=course_id, exchange_line=line)


def init_course(course_dir: Path, *, course_root: Path, assignments: list[str] | None = None,
                course_id: str = DEFAULT_COURSE_ID, exchange: Path | None = None) -> list[Path]:
    """Create (or refresh) an nbgrader course in ``course_dir``.

    Args:
        course_dir: the nbgrader course folder (created).
        course_root: the dlgrade course (holds ``solutions/`` and ``assignments/``).
        assignments: assignment ids; default: all.
        course_id: nbgrader's course id.
        exchange: the exchange root written into the config (default: nbgrader's).

    Returns:
        The files written: ``nbgrader_config.py`` and one source notebook per assignment.
    """
    import nbformat

    course_dir = Path(course_dir)
    ids = list(assignments) if assignments else list_assignments(course_root)
    notebooks = {a: build_notebook(course_root, load_assignment(course_root, a)) for a in ids}
    course_dir.mkdir(parents=True, exist_ok=True)
    config = course_dir / "nbgrader_config.py"
    config.write_text(config_text(course_id=course_id, exchange=exchange), encoding="utf-8")
    written = [config]
    for aid, nb in notebooks.items():
        target = course_dir / "source" / aid / f"{aid}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))
        written.append(target)
    return written
