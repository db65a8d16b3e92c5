"""``dlgrade lint``: find authoring errors in a course before anyone is graded.

Two passes. The *static* pass (:func:`static_problems`) is cheap and grades
nothing: it reads each ``assignment.toml``, collects the checks with pytest
(the grader's own arguments and ``spec_of``) and checks the markers, the
points, the tags, the folders, duplicate check ids and the submitted file in
``solutions/``. ``dlgrade grade``, ``generate`` and ``nbgrader init`` run it
first (:func:`require_valid`) and refuse a broken assignment as a usage error.

The *full* pass (:func:`lint`, with :mod:`autograder.authoring.full_pass`) adds
what needs running code: the reference must score full marks through the
sandboxed engine and in the assignment's nbgrader notebook (its cells executed
in order, as a kernel would), and the committed student template must match
what ``dlgrade generate`` would write.

Every problem (:mod:`autograder.authoring.problems`) names a file and, when
there is one, a line, compiler style:
``assignments/toolkit/public/test_relu.py:12: check 'relu_x' has no @pytest.mark.points``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import pytest

from autograder.authoring.full_pass import (
    notebook_problems,
    reference_problems,
    run_cells,
    template_problems,
)
from autograder.authoring.problems import (
    SOLUTIONS_DIR,
    VISIBILITIES,
    Located,
    Problem,
    Report,
    def_lines,
    defined_functions,
    toml_line,
)
from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.errors import ConfigError, UsageError
from autograder.grading.collection import Collector, check_id, collect, spec_of

# what callers import from here: the two passes, and the parts bench/ times one by one
__all__ = ["Located", "Problem", "Report", "collect_located", "lint", "notebook_problems",
           "reference_problems", "require_valid", "run_cells", "static_problems",
           "template_problems"]


# ---------------------------------------------------------------- collection


def _collect(files: list[Path]) -> Collector:
    with contextlib.redirect_stdout(io.StringIO()):
        return collect(files)


# ---------------------------------------------------------------- the static pass


def _marker_problem(item: pytest.Item, name: str, assignment: Assignment) -> str | None:
    """What is wrong with one marker of ``item`` (None: nothing)."""
    marker = item.get_closest_marker(name)
    if marker is None or not marker.args:
        return f"has no @pytest.mark.{name}(...)"
    value = marker.args[0]
    if name == "points" and (isinstance(value, bool) or not isinstance(value, (int, float))
                             or value < 0):
        return f"has @pytest.mark.points({value!r}): points must be a number >= 0"
    if name == "visibility" and value not in VISIBILITIES:
        return f"has @pytest.mark.visibility({value!r}): use 'public' or 'hidden'"
    if name == "tags" and value not in assignment.functions:
        return (f"is tagged {value!r}, which is not a function of assignment "
                f"'{assignment.id}' (tags[0] must be one of: {', '.join(assignment.functions)})")
    return None


def _collect_problem(text: str, files: list[Path], folder: Path) -> Problem:
    """A collection error (e.g. an import that fails) located in its check file."""
    lines = text.strip().splitlines()
    last = next((t for t in reversed(lines) if t.strip()), "collection failed")
    message = f"cannot be collected: {last.lstrip('E ').strip()}"
    resolved = {path.resolve(): path for path in files}
    # the innermost traceback line in a check file (pytest shows paths relative to the cwd)
    for name, line in reversed(re.findall(r"^(\S+\.py):(\d+): in ", text, re.M)):
        path = resolved.get(Path(name).resolve())
        if path is not None:
            return Problem(path, int(line), message)
    for path in files:
        if f"'{path}'" in text:
            return Problem(path, None, message)
    return Problem(folder, None, message)


def collect_located(assignment: Assignment) -> tuple[list[Located], list[Problem]]:
    """Collect ``assignment``'s checks; return them with their file and line, and
    every problem with a check's markers, visibility or id."""
    problems: list[Problem] = []
    files = assignment.check_files(hidden=True)
    for path in files:
        try:
            ast.parse(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError as exc:
            problems.append(Problem(path, exc.lineno, f"syntax error: {exc.msg}"))
        except UnicodeDecodeError:
            problems.append(Problem(path, None, "is not UTF-8 text"))
    if problems or not files:
        return [], problems
    collected = _collect(files)
    for report in collected.errors:
        problems.append(_collect_problem(report.longreprtext, files, assignment.root))
    cache: dict[Path, dict[str, int]] = {}
    located: list[Located] = []
    seen: dict[str, Located] = {}
    for item in collected.items:
        path = Path(str(item.path))
        test = getattr(item, "originalname", item.name.split("[")[0])
        line = def_lines(path, cache).get(test)
        bad = [m for m in (_marker_problem(item, n, assignment)
                           for n in ("points", "visibility", "tags")) if m]
        if bad:
            problems += [Problem(path, line, f"check '{check_id(item)}' {m}") for m in bad]
            continue
        spec = spec_of(item)
        folder = path.parent.name
        if folder in VISIBILITIES and spec.visibility != folder:
            problems.append(Problem(path, line, f"check '{spec.id}' is in {folder}/ but marked "
                                    f"visibility('{spec.visibility}'): move it or fix the "
                                    "marker (public/ is what students receive)"))
        if spec.id in seen:
            first = seen[spec.id]
            problems.append(Problem(path, line, f"check '{spec.id}' has the same name as the "
                                    f"one at {first.file.parent.name}/{first.file.name}:"
                                    f"{first.line}: rename one (check names are grades.csv "
                                    "columns)"))
            continue
        seen[spec.id] = Located(spec, path, line)
        located.append(seen[spec.id])
    return located, problems


def _points_problems(assignment: Assignment, located: list[Located]) -> list[Problem]:
    toml = assignment.root / "assignment.toml"
    problems = []
    for function, points in assignment.points.items():
        mine = [c for c in located if c.spec.function == function]
        total = sum(c.spec.points for c in mine)
        if abs(total - points) <= 1e-9:
            continue
        by_file: dict[str, float] = {}
        for c in mine:
            name = f"{c.file.parent.name}/{c.file.name}"
            by_file[name] = by_file.get(name, 0.0) + c.spec.points
        detail = ", ".join(f"{name}: {p:g}" for name, p in by_file.items()) or "no checks"
        problems.append(Problem(toml, toml_line(toml, function, table="points"),
                                f"[points] gives {function} {points:g}, but its checks are "
                                f"worth {total:g} ({detail}; each parametrized case "
                                "counts the marker's points)"))
    return problems


def _solution_problems(course_root: Path, assignment: Assignment) -> list[Problem]:
    toml = assignment.root / "assignment.toml"
    missing = [n for n in assignment.also_submit
               if not (course_root / SOLUTIONS_DIR / n).is_file()]
    if missing:  # a file the graded one imports (submit = [..., "mlp.py"])
        return [Problem(toml, toml_line(toml, "submit"), f"submit names {missing[0]}, but "
                        f"there is no {SOLUTIONS_DIR}/{missing[0]} (the reference)")]
    solution = course_root / SOLUTIONS_DIR / assignment.submit
    if not solution.is_file():
        return [Problem(toml, toml_line(toml, "submit"), f"submit = '{assignment.submit}', "
                        f"but there is no {SOLUTIONS_DIR}/{assignment.submit} (the reference)")]
    try:
        ast.parse(solution.read_text(encoding="utf-8"), str(solution))
    except SyntaxError as exc:
        return [Problem(solution, exc.lineno, f"syntax error: {exc.msg}")]
    names = defined_functions(solution)
    return [Problem(toml, toml_line(toml, "functions"), f"function '{f}' is not defined in "
                    f"{SOLUTIONS_DIR}/{assignment.submit}") for f in assignment.functions
            if f not in names]


def _load(course_root: Path, assignment_id: str) -> tuple[Assignment | None, list[Problem]]:
    toml = course_root / "assignments" / assignment_id / "assignment.toml"
    try:
        return load_assignment(course_root, assignment_id), []
    except ConfigError as exc:
        text = str(exc)
        prefix = f"{toml}: "
        return None, [Problem(toml, None, text[len(prefix):] if text.startswith(prefix) else text)]


def static_problems(course_root: Path, assignment_id: str, *, solutions: bool = True,
                    ) -> tuple[Assignment | None, list[Located], list[Problem]]:
    """The cheap pass over one assignment: nothing is graded or executed but the
    check files' imports (as pytest collects them). ``solutions=False`` skips
    the reference's checks (a grading-only copy of the course has none)."""
    assignment, problems = _load(course_root, assignment_id)
    if assignment is None:
        return None, [], problems
    for folder in (assignment.public_dir, assignment.hidden_dir):
        if not folder.is_dir():
            problems.append(Problem(folder, None, "missing folder (an assignment has public/ "
                                    "and hidden/ check folders; either may be empty)"))
    for stray in sorted(assignment.root.glob("test_*.py")):
        problems.append(Problem(stray, None, "is never run: checks go in public/ or hidden/"))
    if not assignment.check_files(hidden=True):
        problems.append(Problem(assignment.root, None, "no check files (test_*.py) in "
                                "public/ or hidden/"))
    located, found = collect_located(assignment)
    problems += found
    if not found:
        problems += _points_problems(assignment, located)
    if solutions:
        problems += _solution_problems(course_root, assignment)
    return assignment, located, problems


def require_valid(course_root: Path, assignment_ids: list[str] | None = None) -> None:
    """Refuse to go on with a broken assignment (the static pass of ``dlgrade lint``).

    Raises:
        ConfigError: (exit 2) one line per problem, ``path:line: message``.
    """
    ids = assignment_ids or list_assignments(course_root)
    # a grading-only copy of the course (a Gradescope or PrairieLearn bundle, a Dask
    # worker's) holds the checks but no solutions/: nothing to say about the reference
    solutions = (course_root / SOLUTIONS_DIR).is_dir()
    lines: list[str] = []
    for aid in ids:
        if not (course_root / "assignments" / aid / "assignment.toml").is_file():
            continue  # the caller reports an unknown assignment in its own words
        lines += [p.render(course_root)
                  for p in static_problems(course_root, aid, solutions=solutions)[2]]
    if lines:
        lines.append(f"({len(lines)} authoring error{'s' if len(lines) > 1 else ''}; "
                     "`dlgrade lint` checks the whole course)")
        raise ConfigError("\n".join(lines))


def lint(course_root: Path, *, assignment_ids: list[str] | None = None,
         full: bool = True) -> Report:
    """Validate assignments without grading anyone.

    Args:
        course_root: the course (holds ``assignments/`` and ``solutions/``).
        assignment_ids: which assignments; default: all.
        full: also grade the reference (sandbox and nbgrader notebook) and compare
            the template; False runs only the static pass.

    Raises:
        UsageError: an unknown assignment.
    """
    known = list_assignments(course_root)
    ids = assignment_ids or known
    for aid in ids:
        if aid not in known:
            raise UsageError(f"unknown assignment '{aid}' (known: {', '.join(known) or 'none'})")
    report = Report(course_root=course_root, assignments=list(ids))
    for aid in ids:
        assignment, located, problems = static_problems(course_root, aid)
        report.checks[aid] = len(located)
        report.problems += problems
        if full and assignment is not None and not problems:
            report.problems += reference_problems(course_root, assignment, located)
            report.problems += notebook_problems(course_root, assignment, located)
    if full:
        report.problems += template_problems(course_root)
    return report
