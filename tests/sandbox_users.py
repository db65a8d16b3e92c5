"""Helpers for sandbox tests that run as an ordinary user or an unprivileged uid.

The CI machine's Python lives under /root (mode 0700). An ordinary user, and
the unprivileged uid a worker drops to without namespaces, must reach it:
:func:`traversable` adds only the "others may traverse" bit (o+x, no listing)
to the directories on those paths that lack it, and restores every mode.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import numpy as np

REPO = Path(__file__).resolve().parent.parent
TEST_USER = "dlgrade-ci"


def ensure_test_user() -> pwd.struct_passwd:
    """An ordinary user with a home and a ~/.bashrc (created once, kept)."""
    try:
        user = pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", TEST_USER],
                       check=True, capture_output=True)
        user = pwd.getpwnam(TEST_USER)
    bashrc = Path(user.pw_dir) / ".bashrc"
    if not bashrc.exists():
        bashrc.write_text("# the test user's shell start-up file\n")
        os.chown(bashrc, user.pw_uid, user.pw_gid)
    return user


def python_paths() -> list[str]:
    """What grading needs to reach: the interpreter, its prefixes, numpy, the repo."""
    return sorted({os.path.realpath(sys.executable), sys.prefix, sys.base_prefix,
                   os.path.dirname(np.__file__), str(REPO)})


@contextlib.contextmanager
def traversable(paths: list[str]) -> Iterator[None]:
    """Let every user traverse (o+x, not list) the directories leading to ``paths``."""
    changed: list[tuple[Path, int]] = []
    try:
        for path in paths:
            for folder in [Path(path), *Path(path).parents]:
                if folder.is_dir() and not folder.is_symlink():
                    mode = folder.stat().st_mode & 0o7777
                    if not mode & 0o001 and all(folder != f for f, _ in changed):
                        changed.append((folder, mode))
                        os.chmod(folder, mode | 0o001)
        yield
    finally:
        for folder, mode in reversed(changed):
            os.chmod(folder, mode)
