"""The full pass of ``dlgrade lint``: what needs running code.

The reference must score full marks through the sandboxed engine and in the
assignment's nbgrader notebook (its cells executed in order, as a kernel
would), and the committed student template must match what ``dlgrade
generate`` would write.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import warnings
from pathlib import Path
from typing import Any

from autograder.authoring.problems import (
    SOLUTIONS_DIR,
    TEMPLATE_DIR,
    Located,
    Problem,
    defined_functions,
    toml_line,
    check_location,
)
from autograder.course.assignment import Assignment
from autograder.errors import DlgradeError
from autograder.runtime.checkrun import PASSED


def reference_problems(course_root: Path, assignment: Assignment,
                       located: list[Located]) -> list[Problem]:
    """Grade ``solutions/<submit>`` with every check in the sandbox: all must pass."""
    from autograder.grading.session import run_session
    from autograder.course.entry import read_entry

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
                path, line = check_location(located, check.check, solution)
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
    reference = defined_functions(course_root / SOLUTIONS_DIR / assignment.submit)
    if error:
        return [Problem(toml, None, f"the nbgrader notebook fails with the reference: {error}")]
    problems = []
    for function, points in assignment.points.items():
        grade_id = f"test_{function}"
        if abs(scores.get(grade_id, 0.0) - points) <= 1e-6:
            continue
        failures = FAIL_LINE.findall(printed.get(grade_id, ""))
        for check, why in failures:
            path, line = check_location(located, check, toml)
            reason = " ".join(why.split())
            missing = re.search(r"NameError: name '(\w+)' is not defined", reason)
            hint = ""
            if missing and missing.group(1) in reference:
                hint = (f" ({function}'s reference calls {missing.group(1)}, which the "
                        "notebook does not define)")
            problems.append(Problem(path, line, f"check '{check}' fails in the nbgrader "
                                    f"notebook with the reference: {reason}{hint}"))
        if not failures:
            problems.append(Problem(toml, toml_line(toml, function, table="points"),
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
