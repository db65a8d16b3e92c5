"""Generate an nbgrader course from the course content (``dlgrade nbgrader init``).

For each assignment this writes ``source/<id>/<id>.ipynb``, a notebook that
nbgrader's ``generate_assignment`` turns into the students' version:

* a markdown introduction (the assignment's title and README);
* a read-only cell with the toolkit's imports (from ``solutions/``);
* when the assignment's functions call others (of their file, or imported from
  another submitted file, :mod:`autograder.publish.nbgrader_deps`), one
  ungraded cell per such function: a *solution* cell when it is fenced (the
  student writes it again, or pastes their own), read-only otherwise;
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
decorators removed (:mod:`autograder.publish.nbgrader_cells`). nbgrader and
nbformat are imported only inside functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.course.fences import BEGIN as BEGIN_SOLUTION
from autograder.course.fences import END as END_SOLUTION
from autograder.course.fences import SOLUTIONS_DIR, Toolkit, is_fenced, split_solution
from autograder.errors import ConfigError
from autograder.grading.collection import check_id, collect, spec_of
from autograder.results import CheckSpec
from autograder.publish.nbgrader_cells import (
    CheckCase,
    BEGIN_HIDDEN,
    END_HIDDEN,
    split_check_file,
    test_cell_source,
)
from autograder.publish.nbgrader_deps import notebook_code

__all__ = ["BEGIN_HIDDEN", "BEGIN_SOLUTION", "CheckCase", "END_HIDDEN", "END_SOLUTION",
           "SOLUTION_FILE", "Toolkit", "build_notebook", "collect_checks", "init_course",
           "split_check_file", "split_solution", "test_cell_source"]

ENGINE = Path(__file__).resolve().parents[1]  # the autograder package
SOLUTION_FILE = Path(SOLUTIONS_DIR) / "neural_network.py"
DEFAULT_COURSE_ID = "dl-numpy"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


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


DEPENDENCY_NOTE = ("## `{name}` (from `{file}`)\n\nThe functions below call `{name}`, "
                   "so it is defined here too. It earns no points in this notebook: write it "
                   "again, or paste your own from `{file}`, and run its cell.")


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
    import nbformat.v4

    v4: Any = nbformat.v4  # untyped: called through Any
    new_code_cell, new_markdown_cell, new_notebook = (v4.new_code_cell, v4.new_markdown_cell,
                                                      v4.new_notebook)

    code = notebook_code(course_root, assignment)
    cases = collect_checks(assignment)
    entry = Path(course_root) / SOLUTIONS_DIR / assignment.submit

    readme = assignment.readme.strip()
    if readme.startswith("# "):
        readme = readme.split("\n", 1)[1].strip() if "\n" in readme else ""
    cells = [
        new_markdown_cell(f"# {assignment.title}\n\n{readme}\n{INTRO_FOOTER}".strip(),
                          id="intro", metadata=_nbgrader("intro", locked=True)),
        new_code_cell(code.preamble.strip(), id="imports",
                      metadata=_nbgrader("imports", locked=True)),
        new_code_cell(setup_cell_source().strip(), id="dlgrade-setup",
                      metadata=_nbgrader("dlgrade_setup", locked=True)),
    ]
    for name, (file, source) in code.dependencies.items():
        cells.append(new_markdown_cell(DEPENDENCY_NOTE.format(name=name, file=file),
                                       id=f"heading-{name}",
                                       metadata=_nbgrader(f"heading_{name}", locked=True)))
        fenced = is_fenced(source)
        cells.append(new_code_cell(source.strip(), id=f"needed-{name}",
                                   metadata=_nbgrader(f"needed_{name}", solution=fenced,
                                                      locked=not fenced)))
    for function, source in code.functions.items():
        if not is_fenced(source):
            raise ConfigError(f"{entry}: '{function}' has no {BEGIN_SOLUTION} / "
                              f"{END_SOLUTION} fences, so nbgrader would hand out its code")
        mine = [c for c in cases if c.function == function]
        points = assignment.points[function]
        cells.append(new_markdown_cell(f"## `{function}`", id=f"heading-{function}",
                                       metadata=_nbgrader(f"heading_{function}", locked=True)))
        cells.append(new_code_cell(source.strip(), id=f"solution-{function}",
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

    write: Any = nbformat.write  # untyped
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
        write(nb, str(target))
        written.append(target)
    return written
