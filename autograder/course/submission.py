"""A student's submission as dlgrade holds it, and the student ids of entries.

Everything is read as text on the trusted side; nothing is executed or
unpickled (see :mod:`autograder.course.entry` for the reading,
:mod:`autograder.course.discovery` for a whole folder).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

MAX_ID_BYTES = 120
SUFFIXES = (".py", ".ipynb", ".zip")
# unsafe in a file name somewhere (Linux, macOS, Windows); bidi overrides mislead readers
UNSAFE = re.compile(r'[/\\:*?"<>|\u202a-\u202e\u2066-\u2069]+')


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
