"""Trusted side of the sandbox: start a zygote, fork workers, talk to them.

Nothing here executes or unpickles what a worker sends: replies are parsed by
:mod:`autograder.sandbox.codec` (JSON + ``.npy`` with ``allow_pickle=False``)
and capped in size; the worker's stdout/stderr are drained into a capped
buffer and never parsed.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import asdict
from typing import IO, Any, Sequence

from autograder.course.limits import Limits
from autograder.errors import SETUP_FAILED, SandboxError, SandboxUnavailable, WorkerGone
from autograder.sandbox import codec
from autograder.sandbox.launch import adopt
from autograder.sandbox.modes import SandboxMode

BASE_UID = 61000  # one unprivileged uid per parallel job: 61000 + job
SIGKILL = getattr(signal, "SIGKILL", 9)  # Windows has none: the portable sandbox reports 9
SIGNAL_NAMES = {  # only the signals this platform has (Windows lacks SIGBUS, SIGXCPU...)
    getattr(signal, name): what for name, what in (
        ("SIGSEGV", "a segmentation fault"),
        ("SIGBUS", "a bus error"),
        ("SIGABRT", "an abort"),
        ("SIGXCPU", "running out of CPU time"),
        ("SIGXFSZ", "writing a file that was too large"),
        ("SIGFPE", "a floating-point exception"),
        ("SIGILL", "an illegal instruction"),
    ) if hasattr(signal, name)
} | {SIGKILL: "being killed"}


class Zygote:
    """A clean, pre-warmed Python (numpy imported, nothing of ours) that forks
    one hardened worker per submission."""

    def __init__(self, *, job: int = 0, mode: SandboxMode | str = SandboxMode.AUTO) -> None:
        self.uid = BASE_UID + job if os.geteuid() == 0 else None
        self.proc, self.sock, self._log = adopt(job=job, mode=SandboxMode(mode).value)
        self.sock.settimeout(60)
        self._hello: dict[str, Any] | None = None  # read lazily: the zygote warms up meanwhile

    def _greeting(self) -> dict[str, Any]:
        if self._hello is None:
            try:
                self._hello = codec.decode(codec.recv_frame(self.sock))
            except (EOFError, OSError, codec.WireError) as exc:
                raise SandboxError(f"the sandbox did not start: {exc}; "
                                   f"{self.log_tail()}") from None
            if "error" in self._hello:
                raise SandboxUnavailable(str(self._hello["error"]))
        return self._hello

    @property
    def mode(self) -> str:
        """The :class:`SandboxMode` value in force (never ``auto``)."""
        return str(self._greeting()["mode"])

    @property
    def protections(self) -> list[str]:
        """The protection layers active for every worker of this zygote,
        then one ``missing: ...`` line per layer this mode lacks."""
        hello = self._greeting()
        return list(hello["protections"]) + [f"missing: {m}" for m in hello.get("missing", [])]

    @property
    def missing(self) -> list[str]:
        """The protection layers this mode does not give (empty for namespaces)."""
        return list(self._greeting().get("missing", []))

    def log_tail(self) -> str:
        self._log.seek(0)
        return self._log.read()[-1500:].decode(errors="replace")

    def _request(self, message: dict[str, Any],
                 fds: Sequence[int] = ()) -> dict[str, Any]:
        self._greeting()
        try:
            socket.send_fds(self.sock, [b"R"], list(fds))
            codec.send_frame(self.sock, codec.encode(message))
            reply: dict[str, Any] = codec.decode(codec.recv_frame(self.sock))
            return reply
        except (EOFError, OSError, codec.WireError) as exc:
            raise SandboxError(f"lost the sandbox zygote: {exc}; {self.log_tail()}") from None

    def spawn(self, *, files: dict[str, str], spec: dict[str, Any],
              limits: Limits) -> "Worker":
        ours, theirs = socket.socketpair()
        out_file = tempfile.TemporaryFile(prefix="dlgrade-output-")
        try:
            reply = self._request(
                {"op": "spawn", "files": files, "uid": self.uid, "limits": asdict(limits),
                 **spec},
                [theirs.fileno(), out_file.fileno()],
            )
        finally:
            theirs.close()
        return Worker(self, reply["pid"], ours, out_file, limits)

    def kill(self, pid: int, *, grace: float = 0.0) -> dict[str, Any]:
        """Kill a worker's whole tree (after ``grace`` s) and return how it ended."""
        return self._request({"op": "kill", "pid": pid, "grace": grace})

    def discard(self, pid: int) -> None:
        """Kill a worker's whole tree without waiting for an answer."""
        try:
            socket.send_fds(self.sock, [b"R"], [])
            codec.send_frame(self.sock, codec.encode({"op": "discard", "pid": pid}))
        except OSError as exc:
            raise SandboxError(f"lost the sandbox zygote: {exc}; {self.log_tail()}") from None

    def reap(self, pid: int) -> dict[str, Any]:
        return self._request({"op": "reap", "pid": pid})

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self._log.close()


class Worker:
    """One live sandboxed process holding one submission's code.

    Its stdout and stderr go to an unlinked temporary file (capped by the
    worker's file-size limit), read back, size-capped, when it is done: a
    student who prints a lot can never block on a full pipe.
    """

    def __init__(self, zygote: Zygote, pid: int, sock: socket.socket, out_file: IO[bytes],
                 limits: Limits) -> None:
        self.zygote = zygote
        self.pid = pid
        self.sock = sock
        self.out_file = out_file
        self.limits = limits
        self.alive = True
        self._buf = bytearray()

    def _recv(self, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            if len(self._buf) >= 8:
                (size,) = struct.unpack_from("<Q", self._buf, 0)
                if size > self.limits.reply_cap:
                    self._die("sent a reply larger than the "
                              f"{self.limits.reply_cap >> 20} MB cap")
                if len(self._buf) >= 8 + size:
                    frame = bytes(self._buf[8:8 + size])
                    del self._buf[:8 + size]
                    try:
                        return codec.decode(frame)
                    except codec.WireError as exc:
                        self._die(f"sent something that is not plain data ({exc})")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._die(f"took longer than {timeout:g} s", timed_out=True)
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                self._die(None)
            self._buf += chunk

    def _die(self, reason: str | None, *, timed_out: bool = False) -> None:
        # a worker that hung up is probably dying already: let it finish dying
        status = self.kill(grace=0.0 if reason else 1.0)
        if reason is None:
            reason = describe_exit(status)
        raise WorkerGone(reason, timed_out=timed_out, status=status)

    # -- public

    def wait_ready(self) -> dict[str, Any]:
        ready: dict[str, Any] = self._recv(self.limits.import_timeout)
        return ready

    def call(self, message: dict[str, Any], encode_fn: Any) -> dict[str, Any]:
        try:
            self.sock.settimeout(self.limits.call_timeout)
            codec.send_frame(self.sock, codec.encode(message, encode_fn))
        except OSError:
            self._die(None)
        reply: dict[str, Any] = self._recv(self.limits.call_timeout)
        return reply

    def kill(self, *, wait: bool = True, grace: float = 0.0) -> dict[str, Any]:
        """Kill the worker's tree; with ``wait``, return how it ended."""
        if not self.alive:
            return {}
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        status: dict[str, Any] = {}
        if wait:
            status = self.zygote.kill(self.pid, grace=grace)
        else:
            self.zygote.discard(self.pid)
        return status

    def captured_output(self) -> str:
        """What the worker printed, at most ``output_cap`` bytes of it (read once)."""
        if self.out_file.closed:
            return ""
        try:
            size = os.fstat(self.out_file.fileno()).st_size
            data = os.pread(self.out_file.fileno(), self.limits.output_cap, 0)
        finally:
            self.out_file.close()
        text = data.decode("utf-8", errors="replace")
        if size > len(data):
            text += f"\n[... {size - len(data)} more bytes of output not kept]"
        return text


def describe_exit(status: dict[str, Any]) -> str:
    """Say in a student's words how a worker ended."""
    sig = status.get("signal")
    if sig:
        what = SIGNAL_NAMES.get(sig, f"signal {sig}")
        if sig == SIGKILL:
            return "was killed (it probably used too much memory or too many processes)"
        return f"crashed with {what}"
    code = status.get("exit")
    if code == SETUP_FAILED:
        return "could not be started (grader error)"
    if code is not None:
        return f"ended the Python process (exit code {code}; was os._exit or sys.exit called?)"
    return "stopped unexpectedly"
