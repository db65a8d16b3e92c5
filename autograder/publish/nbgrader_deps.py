"""What an assignment's notebook needs from the reference files beyond its own functions.

An nbgrader notebook is one namespace: there is no ``neural_network.py`` beside
it to import. So when an assignment's functions call other functions (of their
own file, or imported from another submitted file: ``from neural_network import
relu, softmax`` in ``mlp.py``), the notebook must define those too. This module
reads the reference files of ``solutions/`` that the assignment submits, finds
every such dependency (and theirs, transitively), and builds the imports cell
from the files' preambles, leaving out the imports between submitted files.
Whatever cannot be resolved is a :class:`ConfigError` at ``nbgrader init``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.assignment import Assignment
from autograder.course.fences import SOLUTIONS_DIR, Toolkit, split_solution
from autograder.errors import ConfigError, UsageError


@dataclass
class NotebookCode:
    """The reference code a notebook is made of.

    Attributes:
        preamble: the imports cell (imports between submitted files removed).
        functions: the assignment's own functions, name -> source.
        dependencies: other functions they call, name -> (file, source), in
            the order they were found.
    """

    preamble: str
    functions: dict[str, str]
    dependencies: dict[str, tuple[str, str]] = field(default_factory=dict)


def _local_modules(assignment: Assignment) -> dict[str, str]:
    """Module name -> file name of every submitted file."""
    return {Path(name).stem: name for name in assignment.submit_files}


def _imports_between(tree: ast.Module, local: dict[str, str], where: str,
                     course_root: Path) -> dict[str, tuple[str, str]]:
    """Names one reference file imports from the other submitted files:
    local name -> (file, name there).

    Raises:
        ConfigError: ``import neural_network`` (a notebook has no module to
            import), or an import of a file in ``solutions/`` that the
            assignment does not submit.
    """
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in local or (course_root / SOLUTIONS_DIR
                                           / f"{alias.name}.py").is_file():
                    raise ConfigError(f"{where}:{node.lineno}: 'import {alias.name}': write "
                                      f"'from {alias.name} import ...' so the notebook can "
                                      "define those functions itself")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module not in local:
                if (course_root / SOLUTIONS_DIR / f"{node.module}.py").is_file():
                    raise ConfigError(f"{where}:{node.lineno}: imports from {node.module}.py, "
                                      "which the assignment's submit list does not name")
                continue
            for alias in node.names:
                found[alias.asname or alias.name] = (local[node.module], alias.name)
    return found


def _is_local_import(stmt: ast.stmt, local: dict[str, str]) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module in local


def _merge_preambles(preambles: list[str], local: dict[str, str]) -> str:
    """The preambles' statements, each once, imports between submitted files left out."""
    if len(preambles) == 1 and not any(_is_local_import(s, local)
                                       for s in ast.parse(preambles[0]).body):
        return preambles[0]  # one file: its preamble exactly as it is
    seen: set[str] = set()
    chunks: list[str] = []
    for text in preambles:
        lines = text.splitlines(keepends=True)
        for stmt in ast.parse(text).body:
            first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
            segment = "".join(lines[first - 1:stmt.end_lineno]).rstrip() + "\n"
            if _is_local_import(stmt, local) or segment in seen:
                continue
            seen.add(segment)
            chunks.append(segment)
    return "".join(chunks)


def _free_names(code: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}


def notebook_code(course_root: Path, assignment: Assignment) -> NotebookCode:
    """Read the submitted files' references and resolve what the notebook needs.

    Raises:
        UsageError: a submitted file has no reference in ``solutions/``.
        ConfigError: an assignment function is missing, or a dependency cannot be
            found in the file it is imported from.
    """
    local = _local_modules(assignment)
    toolkits: dict[str, Toolkit] = {}
    imported: dict[str, dict[str, tuple[str, str]]] = {}
    for name in assignment.submit_files:
        path = Path(course_root) / SOLUTIONS_DIR / name
        if not path.is_file():
            raise UsageError(f"no reference file at '{path}' (pass --course DIR)")
        source = path.read_text(encoding="utf-8")
        where = f"{SOLUTIONS_DIR}/{name}"
        toolkits[name] = split_solution(source, path)
        imported[name] = _imports_between(ast.parse(source, where), local, where,
                                          Path(course_root))
    entry = assignment.submit
    functions: dict[str, str] = {}
    for function in assignment.functions:
        code = toolkits[entry].functions.get(function)
        if code is None:
            raise ConfigError(f"{Path(course_root) / SOLUTIONS_DIR / entry}: no function "
                              f"'{function}' (assignment '{assignment.id}')")
        functions[function] = code
    dependencies: dict[str, tuple[str, str]] = {}
    todo = [(entry, code) for code in functions.values()]
    while todo:
        file, code = todo.pop(0)
        for name in sorted(_free_names(code)):
            if name in functions or name in dependencies:
                continue
            if name in toolkits[file].functions:
                found = (file, name)
            elif name in imported[file]:
                found = imported[file][name]
            else:
                continue
            needed = toolkits[found[0]].functions.get(found[1])
            if needed is None:
                raise ConfigError(f"{SOLUTIONS_DIR}/{file} imports '{found[1]}' from "
                                  f"{found[0]}, but {SOLUTIONS_DIR}/{found[0]} defines no "
                                  "such public function: the notebook would lack it")
            if found[1] != name:
                raise ConfigError(f"{SOLUTIONS_DIR}/{file}: import '{found[1]}' under its "
                                  f"own name, not as '{name}' (the notebook defines it once)")
            dependencies[name] = (found[0], needed)
            todo.append((found[0], needed))
    order = [n for n in assignment.submit_files if n != entry] + [entry]
    preamble = _merge_preambles([toolkits[n].preamble for n in order
                                 if n == entry or any(f == n for f, _ in dependencies.values())],
                                local)
    return NotebookCode(preamble=preamble, functions=functions, dependencies=dependencies)
