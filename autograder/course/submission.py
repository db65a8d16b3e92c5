"""Find the submissions in a folder and read each into memory.

Accepted entries (the student id is the entry's name, see :func:`student_id`):

* ``<student>/`` holding ``neural_network.py`` (other ``.py`` files beside it
  are copied too) or exactly one ``.ipynb``;
* ``<student>.py``, ``<student>.ipynb`` or ``<student>.zip`` (any case);
* nbgrader's ``submitted/<student>/<assignment>/`` layout (with its
  ``timestamp.txt``).

Everything is read as text on the trusted side; nothing is executed or
unpickled here. No symbolic link is followed anywhere: only regular files are
opened (``O_NOFOLLOW | O_NONBLOCK``, checked with ``fstat`` before reading),
and every file is size-capped before it is read. A zip is read member by
member with the same caps, never extracted. An entry that fits none of these
becomes an *invalid* submission with a clear message, and the rest is graded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

MAX_FILE_BYTES = 2 * 1024 * 1024  # per file, top level, in a folder or in a zip
MAX_FILES = 20  # code files read from one folder or zip
MAX_STAMP_BYTES = 1024  # timestamp.txt
MAX_ID_BYTES = 120
SUFFIXES = (".py", ".ipynb", ".zip")
# unsafe in a file name somewhere (Linux, macOS, Windows); bidi overrides mislead readers
UNSAFE = re.compile(r'[/\\:*?"<>|\u202a-\u202e\u2066-\u2069]+')
# names dlgrade writes into OUT: a student folder of that name would clash with them
RESERVED = frozenset({"grades.csv", "report.html", "gradebook.db", "gradebook.db-wal",
                      "gradebook.db-shm"})
SYMLINK = "is a symbolic link: submit the file itself"
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))


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
    entry_name: str = ""  # the entry's own name in SUBMISSIONS ("José García.py")
    timestamp_error: str = ""  # timestamp.txt exists but could not be read

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


@dataclass(frozen=True)
class Rename:
    """An entry whose student id is not simply its name."""

    entry: str  # the entry's name in SUBMISSIONS
    student: str  # the id it was given
    reason: str

    def __str__(self) -> str:
        return f"{self.entry} -> {self.student} ({self.reason})"


@dataclass
class Discovery:
    """What :func:`discover` found: the submissions (iterate over it), every
    rename it made and the entries it skipped."""

    submissions: list[Submission] = field(default_factory=list)
    renames: list[Rename] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # hidden entries (".DS_Store")

    def __iter__(self) -> Iterator[Submission]:
        return iter(self.submissions)

    def __len__(self) -> int:
        return len(self.submissions)


def student_id(name: str) -> str:
    """A readable, path-safe id for an entry name (without its extension).

    The name is NFC-normalised and kept as it is, Unicode included ("José
    García", "李"); only characters unsafe in a file name on Linux, macOS or
    Windows (separators, control and bidi-override characters, ``:*?"<>|``)
    become "_" (one per run), and leading or trailing dots and spaces are dropped (a leading
    dot would hide the folder). At most 120 bytes of UTF-8.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join("/" if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    text = UNSAFE.sub("_", text).strip(" .")
    while len(text.encode("utf-8")) > MAX_ID_BYTES:
        text = text[:-1]
    return text.rstrip(" .") or "student"


def printable(name: str) -> str:
    """A file name as text that can be written anywhere: bytes that are not UTF-8
    (kept by ``os.listdir`` as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def id_changes(name: str, student: str) -> list[str]:
    """What :func:`student_id` changed to make ``student`` from ``name``, in words."""
    text = unicodedata.normalize("NFC", name)
    if student == text:
        return ["Unicode normalised (NFC)"] if text != name else []
    cleaned = UNSAFE.sub("_", "".join("/" if unicodedata.category(c) in ("Cc", "Cs") else c
                                      for c in text))
    changes = []
    if cleaned != text:
        changes.append("characters unsafe in a file name replaced")
    if cleaned.strip(" .") != cleaned:
        changes.append("leading or trailing dots or spaces dropped")
    if len(cleaned.strip(" .").encode("utf-8")) > MAX_ID_BYTES:
        changes.append(f"shortened to {MAX_ID_BYTES} bytes")
    if student == "student" and not cleaned.strip(" ."):
        changes = ["no usable characters"]
    return changes


def entry_stem(name: str, *, is_dir: bool) -> str:
    """The part of an entry's name that names the student: ``bob.PY`` -> ``bob``."""
    if is_dir:
        return name
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def notebook_cells(text: str) -> list[str]:
    """The code cells of a notebook, in order. Raises ValueError if malformed."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the notebook is not valid JSON ({exc.msg}, line {exc.lineno})") \
            from None
    except RecursionError:  # "[[[[...": valid JSON nested deeper than Python can follow
        raise ValueError("the notebook is nested too deeply to be a notebook") from None
    if not isinstance(nb, dict):
        raise ValueError("the notebook has no list of cells")
    version = nb.get("nbformat")
    if (isinstance(version, int) and version < 4) or "worksheets" in nb:
        raise ValueError(f"the notebook is in the old nbformat {version or 3}; open it in "
                         "a current Jupyter, save it (nbformat 4) and submit again")
    if not isinstance(nb.get("cells"), list):
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


# ------------------------------------------------------------------ reading files safely


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.3g} MB" if size >= 2**20 else f"{size / 1024:.3g} KB"


def too_large(name: str, size: int, limit: int = MAX_FILE_BYTES) -> str:
    """"x.py is 400 MB; the limit is 2 MB per file" (a notebook: how to shrink it)."""
    hint = " (clear the notebook's outputs and save it again)" \
        if name.lower().endswith(".ipynb") else ""
    big, top = _megabytes(size), _megabytes(limit)
    if big == top:  # just over the limit: bytes tell them apart
        big, top = f"{size} bytes", f"{limit} bytes"
    return f"{name} is {big}; the limit is {top} per file{hint}"


def not_a_file(name: str, mode: int) -> str | None:
    """Why ``name`` with this ``st_mode`` may not be read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return f"{name} {SYMLINK}"
    what = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a folder" if stat.S_ISDIR(mode) else "not a regular file")
    return f"{name} is {what}, not a file: submit the file itself"


def open_regular(path: Path, name: str, limit: int) -> int:
    """Open a regular file for reading and return its descriptor.

    A symlink is not followed (``O_NOFOLLOW``), a FIFO or device is refused
    before it is opened (``lstat``) and cannot block the open (``O_NONBLOCK``);
    ``fstat`` on the open file checks again that it is regular and not larger
    than ``limit`` bytes.

    Raises:
        ValueError: with a message naming ``name`` and the reason.
    """
    refusal = not_a_file(name, os.lstat(path).st_mode)
    if refusal:
        raise ValueError(refusal)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if os.path.islink(path):  # swapped for a link after lstat (ELOOP)
            raise ValueError(f"{name} {SYMLINK}") from None
        raise ValueError(f"{name} could not be read ({exc.strerror})") from None
    info = os.fstat(fd)
    refusal = not_a_file(name, info.st_mode)
    if refusal or info.st_size > limit:
        os.close(fd)
        raise ValueError(refusal or too_large(name, info.st_size, limit))
    return fd


def read_regular(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular`)."""
    fd = open_regular(path, name, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        raise ValueError(too_large(name, size, limit))
    return b"".join(chunks)


def _text(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(too_large(name, len(data)))
    try:
        return data.decode("utf-8-sig")  # Windows editors often add a BOM
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not UTF-8 text (save it as UTF-8 and resubmit)") from None


def _is_code(name: str) -> bool:
    return name.lower().endswith((".py", ".ipynb"))


def _is_py(name: str) -> bool:
    return name.lower().endswith(".py")


# ------------------------------------------------------------------ one entry


def _from_files(student: str, files: dict[str, bytes], entry: str, source: str,
                timestamp: str = "") -> Submission:
    """Build a submission from a {name: bytes} map of one student's files."""
    try:
        if entry in files:
            texts = {name: _text(data, name) for name, data in files.items() if _is_py(name)}
            return Submission(student, "py", files=texts, entry=entry, source=source,
                              timestamp=timestamp)
        notebooks = [n for n in files if n.lower().endswith(".ipynb")
                     and not n.split("/")[-1].startswith(".")]
        if len(notebooks) == 1:
            cells = notebook_cells(_text(files[notebooks[0]], notebooks[0]))
            return Submission(student, "notebook", cells=cells, entry=notebooks[0],
                              source=source, timestamp=timestamp)
        if len(notebooks) > 1:
            raise ValueError(f"found {len(notebooks)} notebooks ({', '.join(sorted(notebooks))}); "
                             "submit exactly one")
        python = [n for n in files if _is_py(n)]
        if len(python) == 1:  # one misnamed file ("neural_network (1).py"): it is the one
            return Submission(student, "py", files={entry: _text(files[python[0]], python[0])},
                              entry=entry, source=source, timestamp=timestamp)
        found = f" (found {', '.join(sorted(python))})" if python else ""
        raise ValueError(f"no {entry} and no notebook found{found}")
    except ValueError as exc:
        return Submission(student, "invalid", error=str(exc), source=source,
                          timestamp=timestamp)


def _read_folder(folder: Path, shown: str, entry: str) -> dict[str, bytes]:
    """The code files directly in ``folder`` (``entry`` first, at most MAX_FILES);
    a linked or special code file is an error."""
    files: dict[str, bytes] = {}
    for name in sorted(os.listdir(folder), key=lambda n: (n != entry, n)):
        if name.startswith(".") or not _is_code(name):
            continue
        path = folder / name
        mode = os.lstat(path).st_mode
        if stat.S_ISDIR(mode):
            continue
        label = f"{shown}/{printable(name)}"
        refusal = not_a_file(label, mode)
        if refusal:
            raise ValueError(refusal)
        if len(files) < MAX_FILES:
            files[printable(name)] = read_regular(path, label)
    return files


def _read_zip(path: Path, entry: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with os.fdopen(open_regular(path, path.name, limit=2**63), "rb") as raw, \
            zipfile.ZipFile(raw) as zf:
        listed = [m for m in zf.infolist() if not m.is_dir()
                  and "__MACOSX" not in m.filename
                  and not PurePosixPath(m.filename).name.startswith(".")]
        members = [m for m in listed if _is_code(m.filename)]
        if not members:
            inner = [m.filename for m in listed if m.filename.lower().endswith(".zip")]
            if inner:
                raise ValueError(f"it holds another zip ({', '.join(inner[:3])}) and no code; "
                                 "submit one zip with your files directly inside")
        wanted = [m for m in members if PurePosixPath(m.filename).name == entry]
        if wanted:  # the shallowest neural_network.py and its sibling .py files
            top = min(wanted, key=lambda m: m.filename.count("/"))
            folder = PurePosixPath(top.filename).parent
            members = [m for m in members if PurePosixPath(m.filename).parent == folder
                       and _is_py(m.filename)]
        for member in members[:MAX_FILES]:
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ValueError(f"{member.filename} in the zip {SYMLINK}")
            if member.flag_bits & 0x1:
                raise ValueError(f"{member.filename} in the zip is password-protected; "
                                 "submit a zip without a password")
            if member.file_size > MAX_FILE_BYTES:
                raise ValueError(f"{member.filename} in the zip unpacks to "
                                 f"{_megabytes(member.file_size)}; the limit is "
                                 f"{_megabytes(MAX_FILE_BYTES)} per file")
            with zf.open(member) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise ValueError(f"{member.filename} in the zip unpacks to more than "
                                 f"{_megabytes(MAX_FILE_BYTES)}, the limit per file")
            files[PurePosixPath(member.filename).name] = data
    return files


def _timestamp(folder: Path) -> tuple[str, str]:
    """(text of nbgrader's timestamp.txt, why it could not be read); ("", "") if absent."""
    path = folder / "timestamp.txt"
    if not os.path.lexists(path):
        return "", ""
    try:
        text = read_regular(path, "timestamp.txt", MAX_STAMP_BYTES).decode("utf-8").strip()
    except UnicodeDecodeError:
        return "", "timestamp.txt is not UTF-8 text"
    except (ValueError, OSError) as exc:
        return "", str(exc)
    return text, "" if text else "timestamp.txt is empty"


def read_entry(path: Path, *, entry: str, assignment: str,
               student: str | None = None) -> Submission:
    """Read one entry of the submissions folder.

    Args:
        path: the entry (folder, file, zip); a symlink is refused, never followed.
        entry: the file students submit, e.g. "neural_network.py".
        assignment: the assignment id (for nbgrader's layout).
        student: the id to give it [default: :func:`student_id` of its name].
    """
    name = printable(path.name)
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return Submission(student or student_id(name), "invalid", source=str(path),
                          entry_name=name, error=f"{name} could not be read ({exc.strerror})")
    student = student or student_id(entry_stem(path.name, is_dir=stat.S_ISDIR(mode)))
    sub = _read_entry(path, mode, student=student, entry=entry, assignment=assignment)
    sub.entry_name = name
    return sub


def _read_entry(path: Path, mode: int, *, student: str, entry: str,
                assignment: str) -> Submission:
    name, source = printable(path.name), str(path)
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    try:
        if stat.S_ISDIR(mode):
            nb_folder = path / assignment
            if os.path.lexists(nb_folder) and not nb_folder.is_symlink() and nb_folder.is_dir():
                stamp, stamp_error = _timestamp(nb_folder)  # nbgrader: <student>/<assignment>/
                sub = _from_files(student, _read_folder(nb_folder, f"{name}/{assignment}", entry),
                                  entry, str(nb_folder), stamp)
                sub.timestamp_error = stamp_error
                return sub
            if nb_folder.is_symlink():
                raise ValueError(f"{name}/{assignment} {SYMLINK}")
            return _from_files(student, _read_folder(path, name, entry), entry, source)
        refusal = not_a_file(name, mode)
        if refusal:
            raise ValueError(refusal)
        if suffix == "py":
            text = _text(read_regular(path, name), name)
            return Submission(student, "py", files={entry: text}, entry=entry, source=source)
        if suffix == "ipynb":
            return _from_files(student, {name: read_regular(path, name)}, entry, source)
        if suffix == "zip":
            try:
                return _from_files(student, _read_zip(path, entry), entry, source)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error,
                    NotImplementedError, RuntimeError) as exc:  # damaged or exotic zips
                raise ValueError(f"the zip file could not be read: {exc}") from None
    except ValueError as exc:
        return Submission(student, "invalid", source=source, error=str(exc))
    except OSError as exc:
        return Submission(student, "invalid", source=source,
                          error=f"{name} could not be read ({exc.strerror})")
    return Submission(student, "invalid", source=source,
                      error=f"'{name}' is not a folder, .py, .ipynb or .zip submission")


# ------------------------------------------------------------------ the whole folder


def assign_ids(names: dict[str, str]) -> tuple[dict[str, str], list[Rename]]:
    """Unique student ids for entries, never clashing, with every rename explained.

    Args:
        names: entry name -> the part that names the student (:func:`entry_stem`).

    Returns:
        (entry name -> id, renames). Ids are compared case-insensitively (OUT may
        end up on a case-insensitive disk). An id taken twice stays with the first
        entry in name order; the others get ``-2``, ``-3``... skipping every id
        any entry would have and the names dlgrade writes into OUT.
    """
    wanted = {e: student_id(stem) for e, stem in names.items()}
    taken = {w.casefold() for w in wanted.values()} | RESERVED
    owner: dict[str, str] = {}  # casefolded id -> entry that has it
    ids: dict[str, str] = {}
    renames: list[Rename] = []
    for entry in sorted(names):
        base = wanted[entry]
        reasons = id_changes(names[entry], base)
        chosen = base
        if base.casefold() in owner or base.casefold() in RESERVED:
            holder = owner.get(base.casefold())
            reasons.append(f"'{base}' is already the id of {printable(holder)}" if holder
                           else f"'{base}' is a name dlgrade writes in OUT")
            number = 2
            while f"{base}-{number}".casefold() in taken \
                    or f"{base}-{number}".casefold() in owner:
                number += 1
            chosen = f"{base}-{number}"
        owner[chosen.casefold()] = entry
        ids[entry] = chosen
        if reasons:
            renames.append(Rename(entry=printable(entry), student=chosen,
                                  reason="; ".join(reasons)))
    return ids, renames


def discover(folder: Path, *, entry: str, assignment: str) -> Discovery:
    """Every submission in ``folder``, sorted by entry name, with unique ids.

    Hidden entries (name starting with ".") and ``__pycache__`` are skipped and
    listed in :attr:`Discovery.skipped`; every id that is not simply the
    entry's name is listed in :attr:`Discovery.renames`.
    """
    found = Discovery()
    names: dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith(".") or name == "__pycache__":
            found.skipped.append(printable(name))
            continue
        try:
            is_dir = stat.S_ISDIR(os.lstat(folder / name).st_mode)
        except OSError:
            is_dir = False
        names[name] = entry_stem(name, is_dir=is_dir)
    ids, found.renames = assign_ids(names)
    for name in sorted(names):
        found.submissions.append(read_entry(folder / name, entry=entry, assignment=assignment,
                                            student=ids[name]))
    return found
