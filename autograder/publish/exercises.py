"""The student notebook ``exercises.ipynb``, built from an assignment's ``exercises.md``.

The notebook's text and code are course content: they live next to their
assignment (``assignments/<id>/exercises.md``), never in the engine. The
source is markdown; each ```python block becomes a code cell, and attributes
in braces after the fence say more: ``id=<cell id>``, ``stub=<function>`` (the
cell is that function from ``solutions/``, its body raising
``NotImplementedError``) and ``tags=<tag,tag>``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from autograder.course.fences import SOLUTIONS_DIR, split_solution, stub_source
from autograder.errors import ConfigError

NOTEBOOK_SOURCE = "exercises.md"
NOTEBOOK_FILE = "exercises.ipynb"
FENCE = "```"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _cell(kind: str, cell_id: str, text: str, tags: list[str]) -> dict[str, object]:
    metadata: dict[str, object] = {"tags": tags} if tags else {}
    cell: dict[str, object] = {"cell_type": kind, "id": cell_id, "metadata": metadata,
                               "source": text.strip("\n").splitlines(keepends=True)}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _attributes(line: str, where: str) -> dict[str, str]:
    """``{id=x stub=relu tags=a,b}`` after a ```python fence."""
    rest = line[len(FENCE + "python"):].strip()
    if not rest:
        return {}
    if not (rest.startswith("{") and rest.endswith("}")):
        raise ConfigError(f"{where}: expected ```python or ```python {{key=value ...}}")
    pairs = [item.split("=", 1) for item in rest[1:-1].split()]
    if any(len(p) != 2 or p[0] not in ("id", "stub", "tags") for p in pairs):
        raise ConfigError(f"{where}: attributes are id=..., stub=... and tags=...")
    return dict((k, v) for k, v in pairs)


def notebook_cells(source: str, *, stubs: dict[str, str],
                   path: Path = Path(NOTEBOOK_SOURCE)) -> list[dict[str, object]]:
    """The cells of a notebook source (markdown with ```python code cells).

    Args:
        source: the text of ``assignments/<id>/exercises.md``.
        stubs: function -> its stub (signature, docstring, NotImplementedError).
        path: for error messages.

    Raises:
        ConfigError: an unclosed fence, an unknown stub, or a repeated cell id.
    """
    text = re.sub(r"\A\s*<!--.*?-->", "", source, count=1, flags=re.S)  # the header note
    cells: list[dict[str, object]] = []
    lines = text.splitlines()
    markdown: list[str] = []
    index = 0

    def flush() -> None:
        if "".join(markdown).strip():
            cells.append(_cell("markdown", f"text-{len(cells) + 1}", "\n".join(markdown), []))
        markdown.clear()

    while index < len(lines):
        line = lines[index]
        if not line.startswith(FENCE + "python"):
            markdown.append(line)
            index += 1
            continue
        flush()
        where = f"{path}:{index + 1}"
        attributes = _attributes(line, where)
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == FENCE), None)
        if end is None:
            raise ConfigError(f"{where}: this ```python block is never closed")
        code = "\n".join(lines[index + 1:end])
        if "stub" in attributes:
            name = attributes["stub"]
            if name not in stubs:
                raise ConfigError(f"{where}: no function '{name}' in {SOLUTIONS_DIR}/")
            code = stubs[name]
        cell_id = attributes.get("id") or (f"write-{attributes['stub']}" if "stub" in attributes
                                           else f"code-{len(cells) + 1}")
        tags = [t for t in attributes.get("tags", "").split(",") if t]
        cells.append(_cell("code", cell_id, code, tags))
        index = end + 1
    flush()
    ids = [c["id"] for c in cells]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: two cells have the same id")
    return cells


def function_stubs(sources: dict[str, str]) -> dict[str, str]:
    """Each public function of the reference files as its student stub.

    Args:
        sources: file name -> text of each submitted file's reference; the
            first file defining a name wins.
    """
    stubs: dict[str, str] = {}
    for name, source in sources.items():
        where = f"{SOLUTIONS_DIR}/{name}"
        for function, code in split_solution(source, where).functions.items():
            stubs.setdefault(function, stub_source(code, where).rstrip() + "\n")
    return stubs


def exercises_notebook(source: str, *, stubs: dict[str, str],
                       path: Path = Path(NOTEBOOK_SOURCE)) -> str:
    """A notebook source as nbformat v4 JSON: no outputs, stable key order."""
    notebook = {
        "cells": notebook_cells(source, stubs=stubs, path=path),
        "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
