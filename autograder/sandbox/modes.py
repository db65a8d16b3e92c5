"""Sandbox modes: their names (one Enum), and which of them this machine gives.

Trusted side, light (stdlib only), safe to import on any OS: the probe runs
the zygote's own mode selection in a short-lived subprocess, so nothing
Linux-only is imported here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from enum import Enum
from pathlib import Path


class SandboxMode(str, Enum):
    """How student code is isolated, strongest first (``auto`` picks)."""

    AUTO = "auto"
    NAMESPACES = "namespaces"  # root: PID, mount, network, IPC, UTS namespaces, uid drop
    USERNS = "userns"  # an ordinary user with user namespaces: the same, as that user
    LANDLOCK = "landlock"  # no namespaces (Linux >= 5.13): Landlock + seccomp (+ uid drop)
    BASIC = "basic"  # rlimits, a process, a temp folder: NOT a security boundary
    # macOS and Windows (no fork server): a subprocess and a timeout; chosen by
    # platform, not by --sandbox (see autograder.sandbox.launch)
    PORTABLE = "portable"

    def __str__(self) -> str:
        return self.value


MODE_NAMES = [m.value for m in SandboxMode if m is not SandboxMode.PORTABLE]  # --sandbox
STRONG = (SandboxMode.NAMESPACES, SandboxMode.USERNS, SandboxMode.LANDLOCK)
WEAK = (SandboxMode.BASIC.value, SandboxMode.PORTABLE.value)  # not a security boundary
REFUSAL = ("no sandbox stronger than 'basic' is available here ({why}), so dlgrade will not "
           "run untrusted code: grade on Linux (5.13 or later), in the course's container "
           "or on the Dask cluster, or pass --sandbox basic to accept the risk knowingly")
PROBE = str(Path(__file__).with_name("probe.py"))


def worker_readable() -> list[str]:
    """Folders every sandbox mode lets student code read: the Python
    installation (bound into the private root, or allowed by Landlock) and /usr."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
                  sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], "/usr"}
    return sorted({os.path.realpath(p) for p in candidates if p})


def exposed(paths: list[Path]) -> list[tuple[Path, str]]:
    """(path, folder) for each of ``paths`` that lies inside a folder student code
    may read: such a course or class would not be hidden from submissions."""
    found = []
    for path in paths:
        real = os.path.realpath(path)
        for folder in worker_readable():
            if folder != "/" and (real == folder or real.startswith(folder + os.sep)):
                found.append((path, folder))
                break
    return found


def probe(requested: SandboxMode | str = SandboxMode.AUTO) -> tuple[str, str]:
    """(mode the zygote would pick for ``requested``, "") or ("", why not).

    Runs the zygote's own selection (namespaces probe, user namespace,
    Landlock and seccomp in a forked child) in a subprocess: about 0.3 s,
    most of it importing numpy as the zygote does.
    """
    if not sys.platform.startswith("linux"):
        if SandboxMode(requested) in (SandboxMode.AUTO, SandboxMode.BASIC,
                                      SandboxMode.PORTABLE):
            return SandboxMode.BASIC.value, "no namespaces and no Landlock off Linux"
        return "", f"'{SandboxMode(requested).value}' needs Linux"
    from autograder.sandbox.launch import zygote_env  # the zygote's own environment

    proc = subprocess.run([sys.executable, "-I", PROBE, SandboxMode(requested).value],
                          capture_output=True, text=True, timeout=60, cwd="/",
                          env=zygote_env())
    try:
        answer = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "", f"the sandbox probe failed: {proc.stderr.strip()[-300:]}"
    return str(answer["mode"]), str(answer["why_not"])


def require(requested: SandboxMode | str) -> tuple[SandboxMode, str]:
    """(the mode the zygote picks for ``requested`` on this machine, why no
    stronger one was picked: "" when nothing is missing).

    Raises:
        UsageError: ``requested`` names a mode this machine does not have (a
            forced mode is never silently replaced by a weaker one).
    """
    requested = SandboxMode(requested)
    chosen, why = probe(requested)
    if not chosen:
        from autograder.errors import UsageError

        raise UsageError(f"--sandbox {requested.value} is not available here: {why}")
    return SandboxMode(chosen), why
