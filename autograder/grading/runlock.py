"""One ``dlgrade grade`` at a time per output folder.

The lock is ``OUT/.dlgrade.lock``, held with ``flock`` for the whole run and
holding the holder's pid (for the message). The kernel releases an flock when
its process ends, however it ends, so a lock file left by a dead process is
simply taken over. Runs sharing one ``--gradebook`` with different OUTs do not
lock each other out (SQLite serialises their writes).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from autograder.errors import UsageError

LOCK_NAME = ".dlgrade.lock"


class RunLock:
    """``with RunLock(out):`` holds OUT's lock or raises :class:`UsageError` at once."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock without waiting.

        Raises:
            UsageError: another live process holds it.
        """
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise UsageError(f"another dlgrade grade (pid {holder}) is writing to "
                                 f"'{self.path.parent}'; wait for it to finish or choose "
                                 "another -o folder") from None
            try:  # the holder may have removed the file between our open and flock
                same = os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def release(self) -> None:
        """Remove the lock file and let go (the next run finds no file)."""
        if self.fd is None:
            return
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
