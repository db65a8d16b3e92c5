"""The course bundle: what a Dask worker needs to grade, sent with every task.

An assignment's files by content (``assignment.toml``, ``README.md``, public
and hidden checks, ``mistakes.py``; tens of KB), so workers need dlgrade
installed and nothing else: no shared filesystem, no course checkout.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from autograder.course.assignment import Assignment


def course_bundle(assignment: Assignment) -> dict[str, Any]:
    """The assignment's files by content, as workers need them to grade.

    Returns:
        ``{"assignment": id, "files": {relpath: text}, "digest": hex}``; relpaths
        are relative to the course root (``assignments/<id>/public/test_relu.py``).
    """
    course = assignment.root.parent.parent
    paths = [assignment.root / "assignment.toml", assignment.root / "README.md"]
    for folder in (assignment.public_dir, assignment.hidden_dir):
        paths += sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    if assignment.mistakes_file:
        paths.append(assignment.mistakes_file)
    files = {p.relative_to(course).as_posix(): p.read_text(encoding="utf-8")
             for p in paths if p.is_file()}
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return {"assignment": assignment.id, "files": files, "digest": digest.hexdigest()[:16]}


def dlgrade_version() -> str:
    """The installed dlgrade's version (workers must run the same one)."""
    try:
        return version("dlgrade")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"
