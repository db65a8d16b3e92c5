"""Find the submissions in a folder and read each into memory.

Accepted entries (the student id is the entry's name):

* ``<student>/`` holding ``neural_network.py`` (other ``.py`` files beside it
  are copied too) or exactly one ``.ipynb``;
* ``<student>.py``, ``<student>.ipynb`` or ``<student>.zip``;
* nbgrader's ``submitted/<student>/<assignment>/`` layout (with its
  ``timestamp.txt``).

Everything is read as text on the trusted side; nothing is executed or
unpickled here. A zip is read member by member with size caps, never
extracted. An entry that fits none of these becomes an *invalid* submission
with a clear message, and the rest is graded.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 20
SAFE_ID = re.compile(r"[^A-Za-z0-9._@+-]+")


@dataclass
class Submission:
    """One student's code, in memory."""

    student: str
    kind: str  # "py" | "notebook" | "invalid"
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text
    cells: list[str] = field(default_factory=list)  # notebook code cells
    entry: str = "neural_network.py"
    error: str = ""
    timestamp: str = ""  # nbgrader's timestamp.txt, when present
    source: str = ""  # where it was found (for the instructor)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name].encode() + b"\0")
        for cell in self.cells:
            digest.update(b"cell\0" + cell.encode() + b"\0")
        digest.update(self.kind.encode() + self.error.encode())
        return digest.hexdigest()[:16]

    def spec(self, module: str) -> dict[str, Any]:
        """What the sandbox needs to load this code."""
        if self.kind == "notebook":
            return {"kind": "cells", "cells": self.cells, "module": module, "entry": ""}
        return {"kind": "py", "module": module, "entry": self.entry}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Submission":
        return cls(**data)


def student_id(name: str) -> str:
    """A safe folder name for the student (no path separators, no dots-only)."""
    cleaned = SAFE_ID.sub("_", name).strip("._") or "student"
    return cleaned[:100]


def notebook_cells(text: str) -> list[str]:
    """The code cells of a notebook, in order. Raises ValueError if malformed."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the notebook is not valid JSON ({exc.msg}, line {exc.lineno})") \
            from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("the notebook has no list of cells")
    cells = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        cells.append(str(source))
    return cells


def _text(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name} is larger than {MAX_FILE_BYTES >> 20} MB")
    try:
        return data.decode("utf-8-sig")  # Windows editors often add a BOM
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not UTF-8 text (save it as UTF-8 and resubmit)") from None


def _from_files(student: str, files: dict[str, bytes], entry: str, source: str,
                timestamp: str = "") -> Submission:
    """Build a submission from a {name: bytes} map of one student's files."""
    try:
        if entry in files:
            texts = {name: _text(data, name) for name, data in files.items()
                     if name.endswith(".py")}
            return Submission(student, "py", files=texts, entry=entry, source=source,
                              timestamp=timestamp)
        notebooks = [n for n in files if n.endswith(".ipynb")
                     and not n.split("/")[-1].startswith(".")]
        if len(notebooks) == 1:
            cells = notebook_cells(_text(files[notebooks[0]], notebooks[0]))
            return Submission(student, "notebook", cells=cells, entry=notebooks[0],
                              source=source, timestamp=timestamp)
        if len(notebooks) > 1:
            raise ValueError(f"found {len(notebooks)} notebooks ({', '.join(sorted(notebooks))}); "
                             "submit exactly one")
        python = [n for n in files if n.endswith(".py")]
        if len(python) == 1:  # one misnamed file ("neural_network (1).py"): it is the one
            return Submission(student, "py", files={entry: _text(files[python[0]], python[0])},
                              entry=entry, source=source, timestamp=timestamp)
        found = f" (found {', '.join(sorted(python))})" if python else ""
        raise ValueError(f"no {entry} and no notebook found{found}")
    except ValueError as exc:
        return Submission(student, "invalid", error=str(exc), source=source,
                          timestamp=timestamp)


def _read_folder(folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file() or path.is_symlink():
            continue
        if path.suffix in (".py", ".ipynb") and len(files) < MAX_FILES:
            if path.stat().st_size > MAX_FILE_BYTES:
                files[path.name] = b"\0" * (MAX_FILE_BYTES + 1)
            else:
                files[path.name] = path.read_bytes()
    return files


def _read_zip(path: Path, entry: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()
                   and "__MACOSX" not in m.filename
                   and not Path(m.filename).name.startswith(".")
                   and m.filename.endswith((".py", ".ipynb"))]
        wanted = [m for m in members if Path(m.filename).name == entry]
        if wanted:  # the shallowest neural_network.py and its sibling .py files
            top = min(wanted, key=lambda m: m.filename.count("/"))
            folder = str(Path(top.filename).parent)
            members = [m for m in members if str(Path(m.filename).parent) == folder
                       and m.filename.endswith(".py")]
        for member in members[:MAX_FILES]:
            if member.file_size > MAX_FILE_BYTES:
                raise ValueError(f"{member.filename} in the zip is too large")
            with zf.open(member) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            files[Path(member.filename).name] = data
    return files


def read_entry(path: Path, *, entry: str, assignment: str) -> Submission:
    """Read one entry of the submissions folder."""
    name = path.name
    if path.is_dir():
        student = student_id(name)
        nb_folder = path / assignment
        if nb_folder.is_dir():  # nbgrader: submitted/<student>/<assignment>/
            stamp_file = nb_folder / "timestamp.txt"
            stamp = stamp_file.read_text(errors="replace").strip() if stamp_file.is_file() else ""
            return _from_files(student, _read_folder(nb_folder), entry, str(nb_folder), stamp)
        return _from_files(student, _read_folder(path), entry, str(path))
    student = student_id(path.stem)
    if path.suffix == ".py":
        return _from_files(student, {entry: path.read_bytes()}, entry, str(path))
    if path.suffix == ".ipynb":
        return _from_files(student, {path.name: path.read_bytes()}, entry, str(path))
    if path.suffix == ".zip":
        try:
            return _from_files(student, _read_zip(path, entry), entry, str(path))
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            return Submission(student, "invalid", source=str(path),
                              error=f"the zip file could not be read: {exc}")
    return Submission(student, "invalid", source=str(path),
                      error=f"'{name}' is not a folder, .py, .ipynb or .zip submission")


def discover(folder: Path, *, entry: str, assignment: str) -> Iterator[Submission]:
    """Every submission in ``folder``, sorted by student id; ids made unique."""
    seen: dict[str, int] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.name in ("__pycache__",):
            continue
        sub = read_entry(path, entry=entry, assignment=assignment)
        if sub.student in seen:
            seen[sub.student] += 1
            sub.student = f"{sub.student}-{seen[sub.student]}"
        else:
            seen[sub.student] = 1
        yield sub
