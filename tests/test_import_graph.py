"""No import circle in autograder/: every stage is imported by the one before it.

Reads the real files' imports (``ast``; top-level, inside functions and under
``TYPE_CHECKING`` alike: a circle hidden in a lazy import is still a circle in
the design) and fails naming each cycle found.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root``: dotted name -> file."""
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules that ``path`` (module ``name``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..a import b
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from a import b" imports the module a.b when there is one, else a
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan),
    each as a closed path ``a -> b -> ... -> a`` through the component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(path_through(graph, sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def path_through(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest cycle from the component's first module back to itself."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return component  # unreachable for a strongly connected component


def import_graph(root: Path) -> dict[str, set[str]]:
    found = modules(root)
    return {name: imported(path, name, set(found)) for name, path in found.items()}


def test_autograder_has_no_import_circle() -> None:
    graph = import_graph(PACKAGE)
    assert "autograder.grading.engine" in graph  # the walk found the real package
    assert "autograder.gradebook" in graph["autograder.grading.engine"]
    found = cycles(graph)
    assert not found, "import circles in autograder/:\n" + "\n".join(
        " -> ".join(cycle) for cycle in found)


def test_storage_does_not_import_the_reports() -> None:
    graph = import_graph(PACKAGE)
    assert not {m for m in graph["autograder.gradebook"] if m.startswith("autograder.reports")}


@pytest.mark.parametrize("lazy", [False, True])
def test_a_circle_is_found_and_named(tmp_path: Path, lazy: bool) -> None:
    # a package whose summary and writer import each other (one of them lazily)
    package = tmp_path / "autograder"
    (package / "reports").mkdir(parents=True)
    for init in (package / "__init__.py", package / "reports" / "__init__.py"):
        init.write_text("")
    (package / "reports" / "writer.py").write_text(
        "from autograder.reports.summary import render\n")
    body = "    from autograder.reports import writer\n" if lazy else "from . import writer\n"
    (package / "reports" / "summary.py").write_text(
        "def render():\n" + body if lazy else body)
    (package / "gradebook.py").write_text("import autograder.reports.writer\n")
    found = cycles(import_graph(package))
    assert found == [["autograder.reports.summary", "autograder.reports.writer",
                      "autograder.reports.summary"]]
