"""Reading files from a submission safely: limits on size and type.

No symbolic link is followed anywhere: only regular files are opened
(``O_NOFOLLOW | O_NONBLOCK``, checked with ``fstat`` before reading), and
every file is size-capped before it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024 * 1024  # per file, top level, in a folder or in a zip
SYMLINK = "is a symbolic link: submit the file itself"
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))


def megabytes(size: int) -> str:
    return f"{size / 2**20:.3g} MB" if size >= 2**20 else f"{size / 1024:.3g} KB"


def too_large(name: str, size: int, limit: int = MAX_FILE_BYTES) -> str:
    """"x.py is 400 MB; the limit is 2 MB per file" (a notebook: how to shrink it)."""
    hint = " (clear the notebook's outputs and save it again)" \
        if name.lower().endswith(".ipynb") else ""
    big, top = megabytes(size), megabytes(limit)
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
