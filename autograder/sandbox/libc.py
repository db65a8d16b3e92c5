"""The few Linux system calls the fork server needs, through ctypes, and their flags.

Loaded by path inside the zygote (``zygote.py``): stdlib only, never dlgrade.
Each wrapper raises :class:`SandboxSetupError` when the kernel refuses, so a
layer that could not be applied is never mistaken for one that was.
"""

from __future__ import annotations

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

ALL_NS = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
# the zygote enters empty network, IPC and UTS namespaces once (its workers inherit
# them: one worker at a time per zygote); each worker gets its own mount and PID ns
ZYGOTE_NS = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
WORKER_NS = CLONE_NEWNS | CLONE_NEWPID


class SandboxSetupError(Exception):
    """The kernel refused a step of building the sandbox."""


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SandboxSetupError(f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """Move this process into new namespaces (``CLONE_NEW*`` flags).

    Raises:
        SandboxSetupError: the kernel refused.
    """
    _check(libc.unshare(flags), "unshare")


def mount(src: str | None, dst: str, fstype: str | None, flags: int,
          data: str | None) -> None:
    """mount(2) with ``str`` arguments.

    Raises:
        SandboxSetupError: the kernel refused.
    """
    def b(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None
    _check(libc.mount(b(src), b(dst), b(fstype), ctypes.c_ulong(flags), b(data)),
           f"mount {dst}")


def prctl(option: int, value: int) -> None:
    """prctl(2) with one argument.

    Raises:
        SandboxSetupError: the kernel refused.
    """
    _check(libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl {option}")
