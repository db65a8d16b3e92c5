"""Start a sandbox zygote process. Light on purpose (no numpy, no pytest):
``dlgrade check`` starts its zygote first, so the zygote warms up while the
grader imports pytest and collects the checks.

The zygote is Linux-only; :func:`use_portable` says when the portable sandbox
(:mod:`autograder.sandbox.portable`) runs instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, NamedTuple

ZYGOTE_PATH = str(Path(__file__).with_name("zygote.py"))
PORTABLE_ENV = "DLGRADE_PORTABLE"  # developers and tests: "1" forces the portable path
_STARTED: dict[tuple[int, str], "Launched"] = {}


class Launched(NamedTuple):
    proc: subprocess.Popen[bytes]
    sock: socket.socket
    log: IO[bytes]


def zygote_env() -> dict[str, str]:
    """The zygote's whole environment: nothing of the grader's leaks in."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    # TMPDIR: where the instructor wants temp files (private worker folders go there)
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TMPDIR"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def launch(*, mode: str = "auto") -> Launched:
    """Start a zygote; it greets on the returned socket once it is warm."""
    ours, theirs = socket.socketpair()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-I", ZYGOTE_PATH, str(theirs.fileno()), mode],
        pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        env=zygote_env(), cwd="/", start_new_session=True,
    )
    theirs.close()
    return Launched(proc, ours, log)


def use_portable(mode: str = "auto") -> bool:
    """True off Linux (macOS, Windows), for ``mode="portable"``, or when the
    environment variable ``DLGRADE_PORTABLE=1`` forces it on Linux (tests)."""
    return (not sys.platform.startswith("linux") or mode == "portable"
            or os.environ.get(PORTABLE_ENV, "") == "1")


def start_early(*, job: int = 0, mode: str = "auto") -> None:
    """Launch the zygote a later ``Zygote(job=job, mode=mode)`` will adopt
    (nothing to start early for the portable sandbox)."""
    if use_portable(mode):
        return
    if (job, mode) not in _STARTED:
        _STARTED[(job, mode)] = launch(mode=mode)


def adopt(*, job: int, mode: str) -> Launched:
    """The zygote started early for (job, mode), or a new one."""
    return _STARTED.pop((job, mode), None) or launch(mode=mode)
