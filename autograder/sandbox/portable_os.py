"""What differs between Linux, macOS and Windows for the portable sandbox:
the worker's environment and process group, killing its tree, reading how it
ended, draining its output, and what it protects (stdlib only).

Killing "what it started" is partial: on POSIX the worker's process group
(not what moved to a new session); on Windows ``taskkill /T`` (the stdlib has
no job objects), which follows parent links from a live worker only. In a
Windows virtual environment ``sys.executable`` is a redirector whose child is
the real interpreter: ``taskkill /T`` takes both; without taskkill only the
redirector would end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import IO, Any

from autograder.sandbox.client import SIGKILL

WINDOWS = sys.platform == "win32"

# How a Windows process that crashed ends (an NTSTATUS as its exit code), in
# the signal terms the messages use on POSIX.
WINDOWS_CRASHES = {
    0xC0000005: signal.SIGSEGV,  # access violation
    0xC00000FD: signal.SIGSEGV,  # stack overflow
    0xC0000409: signal.SIGABRT,  # fail-fast (abort)
    0xC000001D: signal.SIGILL,  # illegal instruction
    0xC0000094: signal.SIGFPE,  # integer division by zero
}


def platform_protections() -> tuple[list[str], list[str]]:
    """(what the portable sandbox enforces here, what it does not)."""
    enforced = ["separate process per submission", "wall-clock timeout per call "
                "(the process is killed)", "private temp working directory holding a copy "
                "of the file", "scrubbed environment"]
    if WINDOWS:
        enforced.append("process tree killed with taskkill /T when done")
        missing = ["no resource limits (Windows has no rlimits)",
                   "processes whose parent already ended are not killed"]
    else:
        limits = "CPU seconds, file size, open files, processes"
        if sys.platform.startswith("linux"):
            limits = "memory, " + limits
        enforced += [f"rlimits ({limits})", "process group killed when done"]
        missing = ["processes started in a new session are not killed"]
    missing += ["no isolation of files: the code can read and write what you can",
                "no isolation of the network"]
    return enforced, missing


def child_env(home: str) -> dict[str, str]:
    """The worker's whole environment: nothing of the grader's leaks in."""
    env = {"HOME": home, "TMPDIR": home, "TEMP": home, "TMP": home,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    if WINDOWS:  # Python needs these to start (sockets, random numbers)
        for key in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "PATHEXT"):
            if key in os.environ:
                env[key] = os.environ[key]
        env["PATH"] = os.path.join(env.get("SYSTEMROOT", r"C:\Windows"), "System32")
    else:
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        env["LANG"] = "C.UTF-8" if sys.platform.startswith("linux") else "en_US.UTF-8"
    return env


def write_files(home: str, files: dict[str, str]) -> None:
    """Copy the submission's files into ``home`` (never outside it)."""
    root = os.path.realpath(home)
    for rel, text in files.items():
        path = os.path.realpath(os.path.join(root, rel))
        if not path.startswith(root + os.sep):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


def exit_status(returncode: int | None, *, killed: bool) -> dict[str, Any]:
    """How a worker ended, as ``{"exit": code, "signal": n}`` (what the Linux
    zygote reports), from a ``Popen.returncode``."""
    if returncode is None:
        return {"exit": None, "signal": None}
    if returncode < 0:  # POSIX: killed by a signal
        return {"exit": None, "signal": -returncode}
    if WINDOWS:
        if returncode in WINDOWS_CRASHES:
            return {"exit": None, "signal": int(WINDOWS_CRASHES[returncode])}
        if killed:  # TerminateProcess: our kill, reported like SIGKILL
            return {"exit": None, "signal": SIGKILL}
    return {"exit": returncode, "signal": None}


def group_options() -> dict[str, Any]:
    """Popen options that put the worker at the head of its own process group,
    so that killing it can take what it started."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill a worker and what it started (see the module docstring for limits)."""
    if WINDOWS:
        if proc.poll() is not None:
            return  # taskkill /T finds children through a live parent only
        taskkill = os.path.join(os.environ.get("SYSTEMROOT", r"C:\Windows"), "System32",
                                "taskkill.exe")
        try:
            subprocess.run([taskkill, "/F", "/T", "/PID", str(proc.pid)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            pass
        if proc.poll() is None:
            proc.kill()
        return
    # The worker leads its own process group (start_new_session). The group is
    # killed even when the worker has ended on its own, so that what it left
    # running goes too: a group id cannot be reused while the group has members,
    # and the worker's pid is not handed out again within these milliseconds.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:  # the group is empty already
        pass


class OutputDrain:
    """Reads a worker's stdout+stderr pipe on a thread, keeping the first
    ``cap`` bytes: a student who prints a lot never blocks and never fills a disk."""

    def __init__(self, pipe: IO[bytes], cap: int) -> None:
        self.cap = cap
        self.kept = bytearray()
        self.dropped = 0
        self._pipe = pipe
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="dlgrade-worker-output")
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                chunk = self._pipe.read1(65536)  # type: ignore[attr-defined]
                if not chunk:
                    break
                room = self.cap - len(self.kept)
                self.kept += chunk[:max(room, 0)]
                self.dropped += max(len(chunk) - max(room, 0), 0)
        except (OSError, ValueError):
            pass
        finally:
            try:
                self._pipe.close()
            except OSError:
                pass

    def text(self, wait: float) -> str:
        """What was printed; waits ``wait`` s at most for the pipe to end
        (a process the student left running may hold it open)."""
        self._thread.join(wait)
        text = bytes(self.kept).decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output not kept]"
        return text
