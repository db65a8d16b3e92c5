"""Which sandbox mode the zygote runs, and what that mode protects.

Loaded by path inside the zygote (and by ``probe.py``), after ``worker.py``:
stdlib and the sandbox's own files only, never dlgrade.

A mode the instructor names is entered exactly or refused with the reasons:
never replaced by a weaker one. Only ``auto`` falls through, strongest first,
to ``basic`` (which the trusted side then refuses unless it was asked for).
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any, Callable, Mapping


def _sibling(name: str, filename: str) -> Any:
    """A file beside this one, through worker.py's one by-path loader."""
    return sys.modules["_dlgrade_worker"].sibling(name, filename)


libc = _sibling("_dlgrade_libc", "libc.py")
jail = _sibling("_dlgrade_jail", "jail.py")
landlock = jail.landlock
seccomp = jail.seccomp

STRONGEST_FIRST = ("namespaces", "userns", "landlock")
PROBE_UID = 65534  # an unprivileged uid for probing what workers can reach


def choose(requested: str, attempts: Mapping[str, Callable[[], str]]) -> tuple[str, str]:
    """The decision: (mode, "") for the strongest mode ``requested`` allows, or
    ("", why not).

    Args:
        requested: ``auto``, ``basic`` or one of :data:`STRONGEST_FIRST`.
        attempts: for each of :data:`STRONGEST_FIRST`, a function that enters
            that mode and returns "", or returns why it cannot (called only for
            the modes ``requested`` allows, strongest first, until one works).

    A named strong mode that cannot be entered is refused: the answer is then
    ``("", reason)``, never a weaker mode. ``auto`` ends at ``basic`` with the
    reasons nothing stronger ran.
    """
    if requested not in ("auto", "basic", *STRONGEST_FIRST):
        return "", f"unknown sandbox mode '{requested}'"
    reasons = []
    for mode in STRONGEST_FIRST:
        if requested in ("auto", mode):
            why = attempts[mode]()
            if not why:
                return mode, ""
            reasons.append(f"{mode}: {why}")
    if requested in ("auto", "basic"):
        return "basic", "; ".join(reasons)
    return "", "; ".join(reasons)


def enter_namespaces() -> str:
    """As root: check workers can get every namespace, then enter the zygote's own."""
    if os.geteuid() != 0:
        return "needs root"
    if not jail.probe_namespaces(libc.ALL_NS):
        return "the kernel refused new namespaces (a container?)"
    try:
        libc.unshare(libc.ZYGOTE_NS)
    except libc.SandboxSetupError as exc:
        return f"the zygote could not enter its namespaces ({exc})"
    return ""


def enter_userns() -> str:
    """Not root: a user namespace gives the same isolation."""
    if jail.enter_user_namespace():
        return ""
    return "this kernel does not allow user namespaces"


def probe_landlock() -> str:
    """Why Landlock mode cannot run here ("" when it can). A forked child
    confines itself as a worker would and checks it can still reach Python."""
    if landlock.abi_version() < 1:
        return "Landlock is not available (Linux 5.13 or later, with Landlock enabled)"
    if not seccomp.supported():
        return f"no seccomp filter for this system ({seccomp.arch()})"
    needed = [sys.executable, *jail.python_roots()]
    home = tempfile.gettempdir()  # as the zygote sees it: worker folders go there
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:
                jail.drop_privileges(PROBE_UID)
            libc.prctl(libc.PR_SET_NO_NEW_PRIVS, 1)
            jail.confine(home)
            seccomp.worker_filter()
            if not os.access(home, os.W_OK | os.X_OK):
                os._exit(5)
            os._exit(0 if all(os.access(p, os.R_OK | os.X_OK) for p in needed) else 3)
        except BaseException:  # noqa: BLE001
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == 3:
        return (f"the Python installation ({', '.join(jail.python_roots())}) is not readable "
                "by an unprivileged uid: install Python and the packages where every user "
                "can read them")
    if code == 5:
        return (f"the temp folder ({home}) is not writable by an unprivileged "
                "uid: set TMPDIR to a folder every user can write (like /tmp)")
    return "" if code == 0 else "Landlock or seccomp could not be set up (a container profile?)"


def select_mode(requested: str) -> tuple[str, str]:
    """Enter the strongest mode allowed by ``requested`` on this machine:
    (mode, "") or ("", why not); ``auto`` may give ("basic", why nothing stronger)."""
    return choose(requested, {"namespaces": enter_namespaces, "userns": enter_userns,
                              "landlock": probe_landlock})


COMMON_PROTECTIONS = [
    "separate process per submission", "rlimits (memory, CPU, file size, open files, "
    "processes)", "no core dumps", "scrubbed environment", "wall-clock timeout per call",
    "whole process tree killed"]
NAMESPACE_PROTECTIONS = [
    "network namespace (no network)", "mount namespace (course and grader files hidden)",
    "PID namespace", "size-capped private tmpfs"]
BASIC_MISSING = [
    "file isolation: student code can read and write every file this user can "
    "(solutions, hidden checks, other submissions, your home)",
    "network isolation: student code can open network connections",
    "PID namespace: processes a student starts are killed only if found",
    "seccomp filter (ptrace, keyring, bpf, namespaces, mounts are allowed)",
    "Landlock"]


def describe_mode(mode: str) -> tuple[list[str], list[str]]:
    """(protections enforced, protections missing) of ``mode`` here."""
    root = os.geteuid() == 0
    abi = landlock.abi_version()
    protections = list(COMMON_PROTECTIONS)
    missing: list[str] = []
    if mode in jail.NAMESPACE_MODES:
        protections += NAMESPACE_PROTECTIONS
        protections += (["unprivileged uid"] if mode == "namespaces" else
                        ["user namespace (no privileges outside the sandbox)"])
    else:
        protections += ["private temp working directory"]
    if mode == "landlock":
        protections += landlock.describe(abi)
        protections += ["unprivileged uid"] if root else []
        missing += ["PID namespace (the kernel gives none without namespaces; leftover "
                    "processes are killed instead)",
                    "size-capped tmpfs (each file is capped by the file-size limit, "
                    "not the folder)"]
        missing += landlock.missing(abi)
    if mode == "landlock" and abi < 6:
        protections += [seccomp.SIGNAL_SUMMARY]
    protections += ["no new privileges"]
    if mode != "basic":
        protections += [seccomp.WORKER_SUMMARY]
    else:
        missing += [*BASIC_MISSING, "unprivileged uid: student code runs as this user"
                    if not root else "unprivileged uid: student code runs as root"]
    return protections, missing
