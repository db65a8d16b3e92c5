"""Inside a portable sandboxed worker (runs OUTSIDE the trusted grader).

Started by :mod:`autograder.sandbox.portable` as
``python -I -X utf8 portable_main.py PORT`` in a private temp directory that
holds a copy of the submission. It reads a one-time token from stdin, connects
to the grader on ``127.0.0.1:PORT`` and presents the token, receives what to
load and the limits, sets the limits the platform offers, loads the student's
code and serves calls (both from ``worker.py``, loaded by path: nothing of
dlgrade is imported).

Portable on purpose: no ``fork``, no ``/proc``, no libc through ctypes;
``resource`` is imported only off Windows, ``msvcrt`` only on Windows.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import traceback
import types
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP_FAILED = 71  # as in client.py: the trusted side reports a grader error


def load_worker() -> types.ModuleType:
    """``worker.py`` beside this file, which loads ``codec.py`` and ``helpers.py``."""
    spec = importlib.util.spec_from_file_location("_dlgrade_worker",
                                                  os.path.join(HERE, "worker.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_dlgrade_worker"] = module
    spec.loader.exec_module(module)
    return module


def quiet_crashes() -> None:
    """Windows: a crash must end the process, not open a dialog that waits
    for a click (error modes are inherited by the student's own processes)."""
    try:
        import msvcrt
        msvcrt.SetErrorMode(msvcrt.SEM_FAILCRITICALERRORS  # type: ignore[attr-defined]
                            | msvcrt.SEM_NOGPFAULTERRORBOX)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        pass


def set_limits(limits: dict[str, Any]) -> None:
    """rlimits where the platform has them (Linux, macOS; not Windows)."""
    if sys.platform == "win32":
        return
    import resource

    def cap(name: str, value: int) -> None:
        which = getattr(resource, name, None)
        if which is None:
            return
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            try:  # the hard limit is lower than ours: keep it
                _soft, hard = resource.getrlimit(which)
                resource.setrlimit(which, (min(value, hard) if hard >= 0 else value, hard))
            except (ValueError, OSError):
                pass

    cap("RLIMIT_CORE", 0)
    cap("RLIMIT_CPU", int(limits["cpu_seconds"]))
    cap("RLIMIT_FSIZE", int(limits["file_mb"]) << 20)
    cap("RLIMIT_NOFILE", int(limits["open_files"]))
    cap("RLIMIT_NPROC", int(limits["processes"]))
    if sys.platform.startswith("linux"):  # macOS does not enforce an address-space limit
        cap("RLIMIT_AS", int(limits["memory_mb"]) << 20)


def main() -> None:
    """Connect, load the student's code, serve calls until the grader hangs up."""
    try:
        port = int(sys.argv[1])
        token = sys.stdin.buffer.readline().strip()
        if sys.platform == "win32":
            quiet_crashes()
        for stream in (sys.stdout, sys.stderr):
            stream.reconfigure(line_buffering=True, errors="replace")  # type: ignore[union-attr]
        worker = load_worker()
        codec = worker.codec
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.settimeout(None)
        sock.sendall(token)
        request = codec.decode(codec.recv_frame(sock))
        set_limits(request["limits"])
    except BaseException:  # noqa: BLE001 - no student code has run: a setup failure
        sys.stderr.write(traceback.format_exc()[-2000:])
        sys.stderr.flush()
        os._exit(SETUP_FAILED)
    namespace, ready = worker.load_student(request["spec"])
    sys.stdout.flush()
    sys.stderr.flush()
    codec.send_frame(sock, codec.encode(ready))
    worker.serve(sock, namespace)


if __name__ == "__main__":
    main()
