"""Run ``dlgrade check`` as if on macOS or Windows, on this Linux machine.

Not a test module: ``tests/sandbox/test_portable.py`` runs it in a fresh interpreter,
so that everything patched here is real and dies with that process.

    python simulate_platform.py trusted PLATFORM REPORT_DIR -- CHECK_ARGS...
    python simulate_platform.py control PLATFORM REPORT_DIR   (the guards bite)

What is simulated, and how far it goes (say so wherever it is cited):

* ``sys.platform`` is set to PLATFORM ("darwin" or "win32") *before any
  dlgrade module is imported* (the stdlib and third-party modules are
  imported first, with the real platform: they would try to load Windows DLLs).
  ``os.name`` and the C-level stdlib remain Linux's.
* What the platform lacks is removed: on "win32", the POSIX-only functions
  of ``os`` (``killpg``, ``setsid``, ``geteuid``, ``pread``...), the signals
  Windows does not have (``SIGKILL``, ``SIGBUS``...), ``socket.send_fds`` and
  ``AF_UNIX`` (``socket.socketpair`` keeps working, as on Windows); on
  "darwin", the Linux-only ones (``sched_getaffinity``, ``pidfd_open``,
  real-time signals...). libc is unavailable:
  ``ctypes.CDLL`` raises and ``ctypes.util.find_library`` returns None.
* Linux-only modules cannot be imported (``fcntl``, ``pwd``, ``grp``,
  ``termios``, ``pty``, the zygote; ``resource`` too on "win32"), and an audit
  hook refuses ``os.fork``, loading a shared library, reading ``/proc`` or
  ``/sys``, starting ``zygote.py`` and, on "win32", ``os.killpg``. Each refusal
  is recorded in the report, whether or not the caller swallowed the error.
* On "win32" the Windows process API that cannot exist here is stood in
  for: ``subprocess.CREATE_NEW_PROCESS_GROUP`` is defined and a ``Popen``
  accepts ``creationflags`` (mapped to a new session) and kills with
  SIGKILL where Windows would call TerminateProcess; ``taskkill.exe`` does not
  exist here, so its call fails as it would on a Windows without it.
* The worker process is simulated too: the portable sandbox is pointed at a
  launcher that applies the same simulation before running the real
  ``portable_main.py``.

The report (``REPORT_DIR/trusted.json``, ``REPORT_DIR/child-*.json``) says
what was refused, what platform-specific path ran and which dlgrade modules
were imported.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig

# ---------------------------------------------------------------- pre-imports
# With the real platform: stdlib and third-party modules branch on sys.platform
# when imported (click, rich, subprocess...). dlgrade must not be among them.

import ctypes  # noqa: E402,F401
import ctypes.util  # noqa: E402
import hmac  # noqa: E402,F401
import importlib.abc  # noqa: E402
import importlib.machinery  # noqa: E402,F401
import importlib.util  # noqa: E402,F401
import io  # noqa: E402,F401
import json as _json  # noqa: E402,F401
import runpy  # noqa: E402
import secrets  # noqa: E402,F401
import shutil  # noqa: E402,F401
import signal  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402,F401
import subprocess  # noqa: E402
import tempfile  # noqa: E402,F401
import threading  # noqa: E402,F401
import traceback  # noqa: E402,F401

import numpy  # noqa: E402,F401
import numpy.typing  # noqa: E402,F401

ROLE = sys.argv[1]
if ROLE == "trusted":
    import click  # noqa: F401
    import pytest  # noqa: F401
    import rich.console  # noqa: F401
    import rich.table  # noqa: F401
    import _pytest.config  # noqa: F401
    import _pytest.python  # noqa: F401

FORBIDDEN_MODULES = {"fcntl", "pwd", "grp", "termios", "pty", "autograder.sandbox.zygote",
                     "_dlgrade_zygote"}
WINDOWS_SIGNALS = {"SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM"}
POSIX_ONLY_OS = ["killpg", "getpgid", "setpgid", "setsid", "getsid", "geteuid", "getuid",
                 "getegid", "getgid", "setuid", "setgid", "setresuid", "setresgid",
                 "setgroups", "pread", "pwrite", "sched_getaffinity", "chroot", "forkpty",
                 "unshare", "setns", "pidfd_open", "memfd_create", "getpriority",
                 "setpriority", "nice"]
LINUX_ONLY_OS = ["sched_getaffinity", "sched_setaffinity", "pidfd_open", "memfd_create",
                 "unshare", "setns", "eventfd", "splice", "getresuid", "getresgid",
                 "setresuid", "setresgid", "pipe2", "posix_fadvise", "posix_fallocate"]
LINUX_ONLY_SIGNALS = ["SIGRTMIN", "SIGRTMAX", "SIGPOLL", "SIGPWR", "SIGSTKFLT", "SIGCLD"]

refused: list[str] = []  # Linux-only things dlgrade tried (must stay empty)
events: list[str] = []  # platform-specific paths that ran (what the test expects)
REPORT: list[str] = []  # where to write the report (the worker rewrites it as it goes)


def note(kind: list[str], what: str) -> None:
    kind.append(what)
    if ROLE == "child" and REPORT:
        write_report(REPORT[0], {})


def refuse(what: str) -> None:
    note(refused, what)
    raise OSError(f"simulated {PLATFORM}: {what} is not available")


class ForbiddenImports(importlib.abc.MetaPathFinder):
    """Refuses to import a module this platform does not have."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name in self.names:
            note(refused, f"import {name}")
            raise ImportError(f"simulated {PLATFORM}: no module named {name!r}")
        if name == "msvcrt":  # a Windows-only branch ran (the module is absent here)
            note(events, "import msvcrt")
        return None


def audit(event: str, args: tuple) -> None:
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        if path.startswith(("/proc", "/sys")):
            refuse(f"open {path}")
    elif event in ("os.fork", "os.forkpty"):
        refuse(event)
    elif event == "ctypes.dlopen":
        refuse(f"load shared library {args[0]!r}")
    elif event == "subprocess.Popen":
        argv = [os.fsdecode(a) for a in (args[1] or [])]
        if any(a.endswith("zygote.py") for a in argv):
            refuse("start the Linux zygote")
        if any("taskkill" in a for a in argv):
            note(events, "taskkill /F /T")
    elif event == "os.killpg":
        if PLATFORM == "win32":
            refuse("os.killpg")
        note(events, "os.killpg")
    elif event == "resource.setrlimit":
        note(events, "setrlimit")


def no_libc(*_args: object, **_kwargs: object) -> None:
    refuse("ctypes.CDLL (libc)")


def no_fork() -> int:
    refuse("os.fork")
    return -1


class WindowsPopen(subprocess.Popen):
    """Stands in for Windows' Popen: takes creationflags, kills like TerminateProcess."""

    def __init__(self, *args, creationflags: int = 0, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if kwargs.get("start_new_session") or kwargs.get("preexec_fn") or kwargs.get("pass_fds"):
            note(refused, "a POSIX-only Popen option")
            raise ValueError("simulated win32: POSIX-only Popen option")
        if creationflags & 0x200:
            note(events, "CREATE_NEW_PROCESS_GROUP")
            kwargs["start_new_session"] = True
        super().__init__(*args, **kwargs)

    def send_signal(self, sig: int) -> None:
        self.kill()

    def kill(self) -> None:
        note(events, "TerminateProcess")
        if self.poll() is None:
            os.kill(self.pid, 9)

    terminate = kill


def simulate(platform: str) -> None:
    """Make this interpreter look like ``platform`` to code imported from now on."""
    forbidden = set(FORBIDDEN_MODULES)
    if platform == "win32":
        forbidden.add("resource")
        for name in POSIX_ONLY_OS:
            if hasattr(os, name):
                delattr(os, name)
        for name in [n for n in dir(signal) if n.startswith("SIG") and not n.startswith("SIG_")]:
            if name not in WINDOWS_SIGNALS:
                delattr(signal, name)
        pair = socket.socketpair  # Windows has one (emulated over loopback): keep it
        family = socket.AF_UNIX
        socket.socketpair = lambda *a, **k: pair(*a, **k) if a else pair(family)  # type: ignore[assignment]
        for name in ("AF_UNIX", "send_fds", "recv_fds", "SCM_RIGHTS", "sethostname"):
            if hasattr(socket, name):
                delattr(socket, name)
        subprocess.CREATE_NEW_PROCESS_GROUP = 0x200  # type: ignore[attr-defined]
        subprocess.Popen = WindowsPopen  # type: ignore[misc]
    else:
        for name in LINUX_ONLY_OS:
            if hasattr(os, name):
                delattr(os, name)
        for name in LINUX_ONLY_SIGNALS:
            if hasattr(signal, name):
                delattr(signal, name)
    for name in forbidden:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, ForbiddenImports(forbidden))
    os.fork = no_fork  # type: ignore[assignment]
    ctypes.CDLL = no_libc  # type: ignore[assignment,misc]
    ctypes.util.find_library = lambda name: None
    sys.addaudithook(audit)
    # the real OS has its own sysconfig data; this interpreter only has Linux's,
    # which sysconfig would look up again under the new platform's name
    sysconfig.get_config_vars()
    sys.platform = platform  # type: ignore[misc]


def write_report(path: str, extra: dict) -> None:
    report = {"platform": sys.platform, "refused": refused, "events": events,
              "dlgrade_modules": sorted(m for m in sys.modules if m.startswith("autograder")),
              **extra}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(report, fh)


def trusted(report_dir: str, check_args: list[str]) -> int:
    """Run ``dlgrade check`` here, with the worker launched simulated too."""
    assert not any(m.startswith("autograder") for m in sys.modules), "dlgrade imported early"
    simulate(PLATFORM)
    from autograder.sandbox import portable

    config = {"report_dir": report_dir, "main": portable.MAIN_PATH}
    launcher = os.path.join(report_dir, "launcher.py")
    with open(launcher, "w", encoding="utf-8") as fh:
        fh.write(f"import runpy, sys\nsys.argv = [{__file__!r}, 'child', {PLATFORM!r}, "
                 f"{json.dumps(config)!r}] + sys.argv[1:]\n"
                 f"runpy.run_path({__file__!r}, run_name='__main__')\n")
    portable.MAIN_PATH = launcher  # the same simulation, then the real portable_main.py
    from autograder.cli import main

    try:
        main(check_args, prog_name="dlgrade")
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    sys.stdout.flush()
    write_report(os.path.join(report_dir, "trusted.json"), {"exit": code})
    return code


def child(config: dict, port: str) -> None:
    """In the worker: simulate, then run the real portable_main.py."""
    REPORT.append(os.path.join(config["report_dir"], f"child-{os.getpid()}.json"))
    simulate(PLATFORM)
    write_report(REPORT[0], {})
    sys.argv = [config["main"], port]
    runpy.run_path(config["main"], run_name="__main__")


def control(report_dir: str) -> int:
    """Proves the simulation bites: each Linux-only call here must be refused."""
    simulate(PLATFORM)
    from autograder.sandbox import launch

    attempts = {
        "start the Linux zygote": lambda: launch.launch(),
        "read /proc": lambda: open("/proc/self/stat").close(),
        "load libc": lambda: ctypes.CDLL(None),
        "fork": lambda: os.fork(),
        "import fcntl": lambda: __import__("fcntl"),
        "import resource": lambda: __import__("resource"),
    }
    failed = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except (OSError, ImportError, ValueError, AttributeError) as exc:
            failed[name] = type(exc).__name__
    write_report(os.path.join(report_dir, "control.json"), {"failed": failed})
    return 0


if __name__ == "__main__":
    PLATFORM = sys.argv[2]
    if ROLE == "trusted":
        sys.exit(trusted(sys.argv[3], sys.argv[5:]))
    elif ROLE == "control":
        sys.exit(control(sys.argv[3]))
    else:
        child(json.loads(sys.argv[3]), sys.argv[4])
