"""The portable sandbox: one plain subprocess per submission, on any OS.

Where the Linux fork server (``zygote.py``) cannot run — macOS, Windows, or
Linux with ``DLGRADE_PORTABLE=1`` for tests — :class:`PortableZygote` starts
``python -I -X utf8 portable_main.py PORT`` for every worker, in a private
temp directory holding a copy of the submission, with a scrubbed environment.
Only stdlib calls that exist on Linux, macOS and Windows are used; the
platform differences (the environment, process groups, killing a tree, crash
exit codes, what is protected) live in :mod:`autograder.sandbox.portable_os`.

The channel is a TCP connection on the loopback interface: the trusted side
listens on ``127.0.0.1``, port 0, for exactly one connection, and the child
must open it with a one-time token it read from its stdin (never on the
command line, which other users can see). A socket, unlike a pipe, has
timeouts and ``sendall`` that behave the same on all three OSes, so the call
timeout is enforced here exactly as for the Linux workers (the framing is
:class:`autograder.sandbox.client.Worker`'s, inherited). Passing one end of a
``socketpair`` would need ``pass_fds`` (POSIX only) or ``socket.share``
(Windows only): two code paths, one of them untestable here.

What it protects: a separate process (the grader's memory and checks are out
of reach), a wall-clock timeout per call (the process is killed), a private
working directory, a scrubbed environment, rlimits where the ``resource``
module exists (Linux, macOS). What it does not: the student's code can read
and write every file the user can and open network connections. It is the
student's own code on the student's own machine.
"""

from __future__ import annotations

import hmac
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from autograder.sandbox import codec
from autograder.course.limits import Limits
from autograder.errors import SETUP_FAILED, SandboxError, WorkerGone
from autograder.sandbox.client import Worker
from autograder.sandbox.portable_os import (OutputDrain, child_env, exit_status, group_options,
                                            kill_tree, platform_protections, write_files)

MAIN_PATH = str(Path(__file__).with_name("portable_main.py"))
START_TIMEOUT = 60.0  # starting Python and importing numpy: not the student's time
TOKEN_BYTES = 16
MODES = ("auto", "basic", "portable")  # stronger modes need Linux's fork server


class PortableZygote:
    """Starts one plain subprocess per submission; the same interface as
    :class:`autograder.sandbox.client.Zygote` for :class:`SandboxRunner`."""

    def __init__(self, *, job: int = 0, mode: str = "auto") -> None:
        if mode not in MODES:
            if sys.platform.startswith("linux"):
                raise SandboxError(f"the '{mode}' sandbox was asked for, but the portable "
                                   "one is forced (unset DLGRADE_PORTABLE)")
            raise SandboxError(f"the '{mode}' sandbox needs Linux; on this system "
                               f"({sys.platform}) only the portable sandbox runs")
        self.job = job
        self.proc = _NoServer()
        self.workers: list[PortableWorker] = []
        self.protections, self.missing = platform_protections()

    @property
    def mode(self) -> str:
        """Always 'portable' (a process, a timeout, a temp dir; see ``missing``)."""
        return "portable"

    def log_tail(self) -> str:
        """There is no long-lived sandbox process, hence no log."""
        return ""

    def spawn(self, *, files: dict[str, str], spec: dict[str, Any],
              limits: Limits) -> PortableWorker:
        """Start a worker for one submission; it connects back and loads the
        code while the caller does other work (see :meth:`PortableWorker.wait_ready`)."""
        home = tempfile.mkdtemp(prefix="dlgrade-student-")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: no one else may bind it
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
            listener.bind(("127.0.0.1", 0))
            listener.listen(4)
            write_files(home, files)
            token = secrets.token_hex(TOKEN_BYTES).encode()
            proc = subprocess.Popen(
                [sys.executable, "-I", "-X", "utf8", MAIN_PATH,
                 str(listener.getsockname()[1])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                cwd=home, env=child_env(home), **group_options(),
            )
        except OSError as exc:
            listener.close()
            shutil.rmtree(home, ignore_errors=True)
            raise SandboxError(f"could not start a worker process: {exc}") from None
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(token + b"\n")
            proc.stdin.close()  # the student's code reads end-of-file from stdin
        except OSError:
            pass  # it died already: wait_ready reports how
        worker = PortableWorker(self, proc, listener, token, home, spec, limits)
        self.workers = [w for w in self.workers if w.alive] + [worker]
        return worker

    def close(self) -> None:
        """Kill every worker still alive."""
        for worker in self.workers:
            worker.kill(wait=False)
        self.workers = []


class _NoServer:
    """Stands in for the zygote's process: nothing long-lived can die here."""

    pid = None

    def poll(self) -> None:
        return None


class PortableWorker(Worker):
    """One plain subprocess holding one submission's code; framing, timeouts
    and messages are :class:`Worker`'s, only starting and killing differ."""

    def __init__(self, zygote: PortableZygote, proc: subprocess.Popen[bytes],
                 listener: socket.socket, token: bytes, home: str, spec: dict[str, Any],
                 limits: Limits) -> None:
        super().__init__(zygote, proc.pid, listener, None, limits)  # type: ignore[arg-type]
        self.proc = proc
        self.home = home
        self._listener: socket.socket | None = listener
        self._token = token
        self._load = {"op": "load", "spec": spec, "limits": asdict(limits)}
        assert proc.stdout is not None
        self._drain = OutputDrain(proc.stdout, limits.output_cap)
        self._output_read = False

    def _connect(self) -> None:
        """Accept the child's connection (checking its token) and send it
        what to load. A child that never connects could not be set up."""
        listener = self._listener
        if listener is None:
            return
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while True:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self._give_up()
                listener.settimeout(0.05)
                try:
                    conn, _addr = listener.accept()
                except (socket.timeout, BlockingIOError, InterruptedError):
                    continue
                if self._accepted(conn):
                    break
        finally:
            listener.close()
            self._listener = None
        self.sock = conn
        codec.send_frame(conn, codec.encode(self._load))

    def _accepted(self, conn: socket.socket) -> bool:
        """Keep ``conn`` only if it opens with our token (another local
        process may have connected first)."""
        conn.settimeout(5)
        try:
            presented = codec.recv_exact(conn, len(self._token))
        except (EOFError, OSError):
            presented = b""
        if hmac.compare_digest(presented, self._token):
            conn.settimeout(None)
            return True
        conn.close()
        return False

    def _give_up(self) -> None:
        """The child ended or hung before loading any student code: our fault."""
        timed_out = self.proc.poll() is None
        status = self.kill()
        status = {**status, "exit": SETUP_FAILED}
        why = "did not connect" if timed_out else "ended before connecting"
        raise WorkerGone(f"could not be started: the worker process {why}",
                         status=status)

    # -- the interface SandboxRunner uses

    def wait_ready(self) -> dict[str, Any]:
        """Connect, then wait for the student's code to load (import timeout)."""
        try:
            self._connect()
        except OSError:
            self._die(None)
        return super().wait_ready()

    def kill(self, *, wait: bool = True, grace: float = 0.0) -> dict[str, Any]:
        """Kill the worker's tree; with ``wait``, return how it ended."""
        if not self.alive:
            return {}
        self.alive = False
        for closable in (self.sock, self._listener):
            try:
                closable.close()  # type: ignore[union-attr]
            except (OSError, AttributeError):
                pass
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        killed = self.proc.poll() is None
        kill_tree(self.proc)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        shutil.rmtree(self.home, ignore_errors=True)
        return exit_status(self.proc.returncode, killed=killed) if wait else {}

    def captured_output(self) -> str:
        """What the worker printed, at most ``output_cap`` bytes of it (read once)."""
        if self._output_read:
            return ""
        self._output_read = True
        return self._drain.text(wait=1.0)
