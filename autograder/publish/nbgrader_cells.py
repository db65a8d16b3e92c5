"""The code of an nbgrader notebook's test cells, made from the check files.

A check file is split with :mod:`ast` (imports, helpers, test functions,
decorators dropped); a test cell holds the public checks' source, then the
hidden ones between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, one
``checks.run(...)`` line per collected case, and ends with the score.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from autograder.errors import ConfigError
from autograder.runtime.checkrun import FIXTURES

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


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
