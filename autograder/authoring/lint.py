"""``dlgrade lint``: find authoring errors in a course before anyone is graded.

Two passes. The *static* pass (:func:`static_problems`) is cheap and grades
nothing: it reads each ``assignment.toml``, collects the checks with pytest
(the grader's own arguments and ``spec_of``) and checks the markers, the
points, the tags, the folders, duplicate check ids and the submitted file in
``solutions/``. ``dlgrade grade``, ``generate`` and ``nbgrader init`` run it
first (:func:`require_valid`) and refuse a broken assignment as a usage error.

The *full* pass (:func:`lint`) adds what needs running code: the reference
must score full marks through the sandboxed engine and in the assignment's
nbgrader notebook (its cells executed in order, as a kernel would), and the
committed student template must match what ``dlgrade generate`` would write.

Every problem names a file and, when there is one, a line, compiler style:
``assignments/toolkit/public/test_relu.py:12: check 'relu_x' has no @pytest.mark.points``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.errors import ConfigError, DlgradeError, UsageError
from autograder.grading.plugin import MARKERS, check_id, pytest_args, spec_of
from autograder.results import PASSED, CheckSpec

SOLUTIONS_DIR = "solutions"
TEMPLATE_DIR = "student_template"
VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class Problem:
    """One authoring error: where it is and what is wrong."""

    file: Path
    line: int | None
    message: str

    def render(self, course_root: Path) -> str:
        """``path:line: message``, the path relative to the course when inside it."""
        try:
            shown = self.file.resolve().relative_to(course_root.resolve()).as_posix()
        except ValueError:
            shown = str(self.file)
        return f"{shown}:{self.line}: {self.message}" if self.line else f"{shown}: {self.message}"


@dataclass(frozen=True)
class Located:
    """A collected check (one parametrize case) and where its function is written."""

    spec: CheckSpec
    file: Path
    line: int | None


@dataclass
class Report:
    """What :func:`lint` found, per assignment."""

    course_root: Path
    assignments: list[str]
    problems: list[Problem] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)  # assignment -> checks collected

    def lines(self) -> list[str]:
        return [p.render(self.course_root) for p in self.problems]


# ---------------------------------------------------------------- collection


class _Items:
    """A pytest plugin that collects checks, keeps the items and runs nothing."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []
        self.errors: list[pytest.CollectReport] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        for name, doc in MARKERS.items():
            config.addinivalue_line("markers", f"{name}: {doc}")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(report)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.items = list(items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        return True


def _collect(files: list[Path]) -> _Items:
    plugin = _Items()
    old = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with tempfile.TemporaryDirectory(prefix="dlgrade-lint-") as tmp:
            ini = Path(tmp) / "pytest.ini"
            ini.write_text("[pytest]\n")
            with contextlib.redirect_stdout(io.StringIO()):
                pytest.main([*pytest_args(files, ini), "--collect-only"], plugins=[plugin])
    finally:
        if old is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = old
    return plugin


def _def_lines(path: Path, cache: dict[Path, dict[str, int]]) -> dict[str, int]:
    """Function name -> line of its ``def`` in ``path`` (top level)."""
    if path not in cache:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, UnicodeDecodeError, OSError):
            tree = ast.Module(body=[], type_ignores=[])
        cache[path] = {n.name: n.lineno for n in tree.body
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return cache[path]


def _toml_line(toml: Path, key: str, *, table: str | None = None) -> int | None:
    """The line of ``key = ...`` in ``assignment.toml`` (inside ``[table]`` if given)."""
    current: str | None = None
    try:
        lines = toml.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, text in enumerate(lines, start=1):
        header = re.match(r"\s*\[([^\]]+)\]", text)
        if header:
            current = header.group(1).strip()
        elif current == table and re.match(rf"\s*{re.escape(key)}\s*=", text):
            return number
    return None


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
        line = _def_lines(path, cache).get(test)
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
        problems.append(Problem(toml, _toml_line(toml, function, table="points"),
                                f"[points] gives {function} {points:g}, but its checks are "
                                f"worth {total:g} ({detail}; each parametrized case "
                                "counts the marker's points)"))
    return problems


def _defined(path: Path) -> set[str]:
    """The names of the functions defined at the top level of ``path``."""
    return set(_def_lines(path, {}))


def _solution_problems(course_root: Path, assignment: Assignment) -> list[Problem]:
    toml = assignment.root / "assignment.toml"
    missing = [n for n in assignment.also_submit if not (course_root / SOLUTIONS_DIR / n).is_file()]
    if missing:  # a file the graded one imports (submit = [..., "mlp.py"])
        return [Problem(toml, _toml_line(toml, "submit"), f"submit names {missing[0]}, but "
                        f"there is no {SOLUTIONS_DIR}/{missing[0]} (the reference)")]
    solution = course_root / SOLUTIONS_DIR / assignment.submit
    if not solution.is_file():
        return [Problem(toml, _toml_line(toml, "submit"), f"submit = '{assignment.submit}', "
                        f"but there is no {SOLUTIONS_DIR}/{assignment.submit} (the reference)")]
    try:
        ast.parse(solution.read_text(encoding="utf-8"), str(solution))
    except SyntaxError as exc:
        return [Problem(solution, exc.lineno, f"syntax error: {exc.msg}")]
    defined = _defined(solution)
    return [Problem(toml, _toml_line(toml, "functions"), f"function '{f}' is not defined in "
                    f"{SOLUTIONS_DIR}/{assignment.submit}") for f in assignment.functions
            if f not in defined]


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


# ---------------------------------------------------------------- the full pass


def _where(located: list[Located], check: str, fallback: Path) -> tuple[Path, int | None]:
    for c in located:
        if c.spec.id == check:
            return c.file, c.line
    return fallback, None


def reference_problems(course_root: Path, assignment: Assignment,
                       located: list[Located]) -> list[Problem]:
    """Grade ``solutions/<submit>`` with every check in the sandbox: all must pass."""
    from autograder.grading.session import run_session
    from autograder.course.submission import read_entry

    solution = course_root / SOLUTIONS_DIR / assignment.submit
    sub = read_entry(solution, entry=assignment.submit, assignment=assignment.id)
    sub.student = "reference"
    for name in assignment.also_submit:  # the files the graded one imports
        sub.files[name] = (course_root / SOLUTIONS_DIR / name).read_text(encoding="utf-8")
    results: list[Any] = []
    try:
        run_session(assignment=assignment, submissions=[sub], emit=results.append)
    except DlgradeError as exc:
        return [Problem(assignment.root / "assignment.toml", None,
                        f"the reference could not be graded: {exc}")]
    problems = []
    for result in results:
        if result.error:
            problems.append(Problem(solution, None, f"the reference did not load: {result.error}"))
        for check in result.checks:
            if check.outcome != PASSED:
                path, line = _where(located, check.check, solution)
                why = check.detail or check.message
                problems.append(Problem(path, line, f"the reference ({SOLUTIONS_DIR}/"
                                        f"{assignment.submit}) fails check '{check.check}' "
                                        f"when graded: {why}"))
    return problems


def run_cells(notebook: Any) -> tuple[dict[str, float], dict[str, str], str]:
    """Execute a notebook's code cells in order in one namespace, as a kernel would.

    Returns:
        ({grade_id: value of the test cell's last line}, {grade_id: printed output},
        the first error outside a test cell, or "").
    """
    namespace: dict[str, Any] = {"__name__": "__main__"}
    scores: dict[str, float] = {}
    printed: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        meta = dict(cell.metadata.get("nbgrader", {}))
        grade_id = str(meta.get("grade_id", cell.get("id", "cell")))
        tree = ast.parse(cell.source, grade_id)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(tree, grade_id, "exec"), namespace)
                value = eval(compile(ast.Expression(last.value), grade_id, "eval"),
                             namespace) if last is not None else None
        except Exception as exc:  # noqa: BLE001 - reported as an authoring problem
            printed[grade_id] = out.getvalue() + f"\n{type(exc).__name__}: {exc}"
            if not meta.get("grade"):
                return scores, printed, f"cell '{grade_id}' raised {type(exc).__name__}: {exc}"
            scores[grade_id] = 0.0
            continue
        printed[grade_id] = out.getvalue()
        if meta.get("grade"):
            scores[grade_id] = float(value) if isinstance(value, (int, float)) else 0.0
    return scores, printed, ""


FAIL_LINE = re.compile(r"^FAIL  (\S+)  \(0/[^)]*\)\n((?:      .*\n?)*)", re.M)


def notebook_problems(course_root: Path, assignment: Assignment,
                      located: list[Located]) -> list[Problem]:
    """The nbgrader notebook, run with its reference solution cells, must give
    every test cell its full points."""
    from autograder.publish.nbgrader_course import build_notebook

    toml = assignment.root / "assignment.toml"
    try:
        notebook = build_notebook(course_root, assignment)
    except DlgradeError as exc:
        where, _, why = str(exc).partition(": ")  # "path: why" names the file at fault
        if why and Path(where).is_file():
            return [Problem(Path(where), None, f"the nbgrader notebook cannot be built: {why}")]
        return [Problem(toml, None, f"the nbgrader notebook cannot be built: {exc}")]
    scores, printed, error = run_cells(notebook)
    reference = _defined(course_root / SOLUTIONS_DIR / assignment.submit)
    if error:
        return [Problem(toml, None, f"the nbgrader notebook fails with the reference: {error}")]
    problems = []
    for function, points in assignment.points.items():
        grade_id = f"test_{function}"
        if abs(scores.get(grade_id, 0.0) - points) <= 1e-6:
            continue
        failures = FAIL_LINE.findall(printed.get(grade_id, ""))
        for check, why in failures:
            path, line = _where(located, check, toml)
            reason = " ".join(why.split())
            missing = re.search(r"NameError: name '(\w+)' is not defined", reason)
            hint = ""
            if missing and missing.group(1) in reference:
                hint = (f" ({function}'s reference calls {missing.group(1)}, which is not a "
                        f"function of assignment '{assignment.id}': its notebook holds only "
                        "the assignment's own functions)")
            problems.append(Problem(path, line, f"check '{check}' fails in the nbgrader "
                                    f"notebook with the reference: {reason}{hint}"))
        if not failures:
            problems.append(Problem(toml, _toml_line(toml, function, table="points"),
                                    f"the nbgrader test cell of {function} gives the reference "
                                    f"{scores.get(grade_id, 0.0):g} of {points:g}: "
                                    f"{printed.get(grade_id, '').strip()[-300:]}"))
    return problems


def template_problems(course_root: Path) -> list[Problem]:
    """``student_template/`` must be exactly what ``dlgrade generate`` writes."""
    from autograder.publish.template import CHECKS_DIR, template_files

    folder = course_root / TEMPLATE_DIR
    try:
        expected = template_files(course_root)
    except DlgradeError as exc:
        return [Problem(course_root / SOLUTIONS_DIR, None, f"no template can be generated: {exc}")]
    fix = "run `dlgrade generate`"
    if not folder.is_dir():
        return [Problem(folder, None, f"missing: {fix}")]
    problems = []
    for relative, text in expected.items():
        path = folder / relative
        if not path.is_file():
            problems.append(Problem(path, None, f"missing from the template: {fix}"))
            continue
        have = path.read_text(encoding="utf-8", errors="replace").splitlines()
        want = text.splitlines()
        if have != want:
            line = next((i + 1 for i, (a, b) in enumerate(zip(have, want, strict=False))
                         if a != b),
                        min(len(have), len(want)) + 1)
            problems.append(Problem(path, line, f"out of date (differs from what `dlgrade "
                                    f"generate` writes from this line): {fix}"))
    tests = folder / CHECKS_DIR
    if tests.is_dir():
        for path in sorted(tests.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and "__pycache__" not in path.parts and relative not in expected:
                problems.append(Problem(path, None, f"no longer part of the template: {fix}"))
    return problems


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
