"""Read one entry of the submissions folder into a :class:`Submission`.

Accepted entries (the student id is the entry's name, see
:func:`autograder.course.submission.student_id`):

* ``<student>/`` holding ``neural_network.py`` (other ``.py`` files beside it
  are copied too) or exactly one ``.ipynb``;
* ``<student>.py``, ``<student>.ipynb`` or ``<student>.zip`` (any case);
* nbgrader's ``submitted/<student>/<assignment>/`` layout (with its
  ``timestamp.txt``).

Files are read with the caps of :mod:`autograder.course.safefiles`. A zip is
read member by member with the same caps, never extracted. An entry that fits
none of these becomes an *invalid* submission with a clear message, and the
rest is graded.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from autograder.course.safefiles import (MAX_FILE_BYTES, SYMLINK, megabytes, not_a_file,
                                         open_regular, read_regular, too_large)
from autograder.course.submission import Submission, entry_stem, printable, student_id

MAX_FILES = 20  # code files read from one folder or zip
MAX_STAMP_BYTES = 1024  # timestamp.txt


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
                                 f"{megabytes(member.file_size)}; the limit is "
                                 f"{megabytes(MAX_FILE_BYTES)} per file")
            with zf.open(member) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise ValueError(f"{member.filename} in the zip unpacks to more than "
                                 f"{megabytes(MAX_FILE_BYTES)}, the limit per file")
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
