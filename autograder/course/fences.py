"""Solution fences in the reference files of ``solutions/``, parsed in one place.

A reference function hides its body from students between two comment lines::

    def relu(Z):
        \"\"\"Docstring, shown to students.\"\"\"
        ### BEGIN SOLUTION
        return np.maximum(Z, 0)
        ### END SOLUTION

:func:`find_fences` finds the fenced blocks and the function each belongs to;
:func:`stub_source` replaces each block by ``raise NotImplementedError(...)``
(the student template); :func:`split_solution` cuts a reference file into its
preamble and one text per public function (the nbgrader notebooks).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import ConfigError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTIONS_DIR = "solutions"
Function = ast.FunctionDef | ast.AsyncFunctionDef
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Fence:
    """One fenced solution block: 0-based line indexes of its two fence lines."""

    begin: int
    end: int
    function: str  # the innermost function holding the block
    indent: str  # the indentation of the BEGIN line


def find_fences(source: str, where: str | Path = "solution") -> list[Fence]:
    """Every fenced block of ``source``, in order.

    Args:
        source: a reference file's text.
        where: its path, for error messages.

    Raises:
        ConfigError: a fence is unbalanced or nested, or a block is empty or
            outside any function (``file:line: ...``).
    """
    tree = ast.parse(source, str(where))
    functions = [n for n in ast.walk(tree) if isinstance(n, FUNCTION_NODES)]
    lines = source.splitlines(keepends=True)
    fences: list[Fence] = []
    begin: int | None = None
    for index, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise ConfigError(f"{where}:{index + 1}: nested {BEGIN}")
            begin = index
        elif marker == END:
            if begin is None:
                raise ConfigError(f"{where}:{index + 1}: {END} without {BEGIN}")
            name = _enclosing_function(functions, begin + 1, index + 1, where)
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            fences.append(Fence(begin, index, name, indent))
            begin = None
    if begin is not None:
        raise ConfigError(f"{where}:{begin + 1}: {BEGIN} without {END}")
    return fences


def _enclosing_function(functions: list[Function], begin: int, end: int,
                        where: str | Path) -> str:
    """The innermost function holding the code between the fence lines ``begin``/``end``.

    ``end_lineno`` of a function is its last statement (a trailing comment such
    as the END fence is not part of it), so the first fenced line decides.
    """
    first_code = begin + 1
    holders = [f for f in functions
               if f.lineno < begin and first_code < end and first_code <= (f.end_lineno or 0)]
    if not holders:
        raise ConfigError(f"{where}:{begin}: an empty solution block, or one outside "
                          "any function")
    return max(holders, key=lambda f: f.lineno).name


def stub_source(source: str, where: str | Path = "solution", *,
                docstring: str | None = None) -> str:
    """Replace every solution block of ``source`` by a ``NotImplementedError``.

    Args:
        source: a reference file's text.
        where: its path, for error messages.
        docstring: when given, replaces the module docstring (its full text,
            quotes and final newline included).

    Returns:
        The student's version: same module, fenced bodies raising
        ``NotImplementedError("Write <function> here")``.

    Raises:
        ConfigError: a fence is unbalanced or outside a function.
    """
    lines = source.splitlines(keepends=True)
    edits = [(f.begin, f.end, [f'{f.indent}raise NotImplementedError("Write {f.function} '
                               'here")\n']) for f in find_fences(source, where)]
    tree = ast.parse(source, str(where))
    if docstring is not None and ast.get_docstring(tree, clean=False) is not None:
        node = tree.body[0]
        edits.insert(0, (node.lineno - 1, (node.end_lineno or node.lineno) - 1, [docstring]))
    for first, last, replacement in reversed(edits):
        lines[first:last + 1] = replacement
    stub = "".join(lines)
    compile(stub, Path(where).name, "exec")  # the template must be valid Python
    return stub


@dataclass
class Toolkit:
    """A reference file split into its preamble and its public functions."""

    preamble: str
    functions: dict[str, str]


def _segment(lines: list[str], node: ast.stmt) -> str:
    first = node.lineno
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.decorator_list:
        first = min(d.lineno for d in node.decorator_list)
    return "".join(lines[first - 1:node.end_lineno]).rstrip() + "\n"


def split_solution(source: str, path: str | Path = "solution") -> Toolkit:
    """Split a reference file: preamble (imports, aliases, private helpers) and
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
            preamble.append(_segment(lines, node))
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


def is_fenced(code: str) -> bool:
    """Does a function's source hide its body between the two fences?"""
    return BEGIN in code and END in code
