"""Landlock through ctypes: confine the calling thread (Linux only, no privileges).

Stdlib only and loaded by path in the zygote (like ``codec.py``), so it never
imports dlgrade. Why not a binding from the package index: the ``landlock``
package is a pre-release (1.0.0.dev5) and adds a dependency to the light
student install for what is three system calls and three structs, all fixed
by the kernel's stable ABI (``include/uapi/linux/landlock.h``).

Usage: ``confine(read_only=[...], read_write=[...])`` after
``PR_SET_NO_NEW_PRIVS``; it returns the list of what is enforced, in words.
A fork server prepares the fixed rules once (:func:`prepare`) and each
worker calls :func:`restrict` with them plus its own folder: a few dozen
system calls, well under a millisecond.
The rules are an allow-list: every access right this ABI knows is handled,
so a path under no rule cannot be read, written, listed or executed.
"""

from __future__ import annotations

import ctypes
import os
from typing import Sequence

SYS_CREATE_RULESET = 444  # the same number on every architecture
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# filesystem access rights (ABI 1 unless noted)
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # valid on a file
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
DEVICE = READ_FILE | WRITE_FILE | TRUNCATE | IOCTL_DEV
READ_WRITE = (READ_FILE | WRITE_FILE | READ_DIR | REMOVE_DIR | REMOVE_FILE | MAKE_DIR
              | MAKE_REG | MAKE_SYM | MAKE_FIFO | MAKE_SOCK | REFER | TRUNCATE)

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long


class LandlockError(OSError):
    """A Landlock call failed."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_ABI: list[int] = []


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is unavailable."""
    if not _ABI:
        ret = _syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(CREATE_RULESET_VERSION))
        _ABI.append(int(ret) if ret > 0 else 0)
    return _ABI[0]


def handled_fs(abi: int) -> int:
    """Every filesystem right the given ABI knows."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def _fail(what: str) -> LandlockError:
    err = ctypes.get_errno()
    return LandlockError(err, f"landlock {what}: {os.strerror(err)}")


def confine(*, read_only: Sequence[str], read_write: Sequence[str],
            devices: Sequence[str] = ()) -> list[str]:
    """Restrict this thread (and its future children) for good.

    Args:
        read_only: directories or files to read and execute (missing ones skipped).
        read_write: directories to read and write, no execute.
        devices: character devices to read and write (/dev/null...).

    Returns:
        What is enforced, one line per layer, naming the ABI.

    Raises:
        LandlockError: Landlock is unavailable or a call failed.
    """
    return restrict(prepare(read_only=read_only, read_write=read_write, devices=devices))


Rule = tuple[str, int]  # (path, allowed access rights)


def prepare(*, read_only: Sequence[str], read_write: Sequence[str],
            devices: Sequence[str] = ()) -> list[Rule]:
    """The rules for :func:`restrict`: rights per path, trimmed to what this ABI
    knows and what applies to a file; paths absent here are left out."""
    fs = handled_fs(abi_version())
    rules: dict[str, int] = {}  # by real path: /lib -> /usr/lib is one rule
    for paths, rights in ((read_only, READ_ONLY), (read_write, READ_WRITE),
                          (devices, DEVICE)):
        for path in paths:
            real = os.path.realpath(path)
            if os.path.isdir(real):
                rules[real] = rules.get(real, 0) | (rights & fs)
            elif os.path.exists(real):
                rules[real] = rules.get(real, 0) | (rights & fs & FILE_RIGHTS)
    return [(path, rights) for path, rights in rules.items()
            if not any(path.startswith(other + "/") and rights & ~r == 0
                       for other, r in rules.items())]  # covered by a parent's rule


def restrict(rules: Sequence[Rule]) -> list[str]:
    """Restrict this thread (and its future children) to ``rules``, for good.

    Returns:
        What is enforced, one line per layer, naming the ABI.

    Raises:
        LandlockError: Landlock is unavailable or a call failed.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError(0, "Landlock is not available on this kernel")
    fs = handled_fs(abi)
    attr = _RulesetAttr(handled_access_fs=fs,
                        handled_access_net=NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        scoped=SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                       ctypes.c_uint32(0))
    if ruleset < 0:
        raise _fail("create_ruleset")
    try:
        for path, rights in rules:
            _allow(int(ruleset), path, rights)
        if _syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise _fail("restrict_self")
    finally:
        os.close(int(ruleset))
    return describe(abi)


def describe(abi: int) -> list[str]:
    """What :func:`confine` enforces on this ABI, one line per layer."""
    enforced = [f"Landlock (ABI {abi}): files: read-only Python and system libraries, "
                "read-write private temp folder, nothing else (course, other "
                "submissions, homes)"]
    if abi >= 4:
        enforced.append(f"Landlock (ABI {abi}): no TCP connect or bind")
    if abi >= 6:
        enforced.append(f"Landlock (ABI {abi}): signals and abstract unix sockets "
                        "scoped to the sandbox")
    return enforced


def missing(abi: int) -> list[str]:
    """What Landlock cannot enforce on this ABI (empty from ABI 6 on)."""
    gaps = []
    if abi < 4:
        gaps.append(f"Landlock TCP rules (ABI {abi} < 4; seccomp still denies network sockets)")
    if abi < 6:
        gaps.append(f"Landlock signal and abstract-socket scoping (ABI {abi} < 6; "
                    "seccomp denies connect and limits signals to the worker's own "
                    "process group instead)")
    return gaps


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # absent here: nothing to allow
    try:
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        if _syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                    ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise _fail(f"add_rule {path}")
    finally:
        os.close(fd)
