"""Watching an attack run: a TCP listener that records what reaches it, and
the processes a (child subreaper) test process inherited or owns.

Support for tests/sandbox/test_attacks.py (not a test module).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from pathlib import Path


class Listener:
    """A TCP server on every address of the machine that records what reaches it."""

    def __init__(self) -> None:
        if socket.has_dualstack_ipv6():
            self.sock = socket.create_server(("", 0), family=socket.AF_INET6,
                                             dualstack_ipv6=True)
        else:
            self.sock = socket.create_server(("0.0.0.0", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(1 << 16) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


def children_of_this_process() -> list[str]:
    """Live processes re-parented to this (subreaper) test process."""
    me, found = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if entry.isdigit() and fields[1] == me and fields[0] != "Z":
            found.append(f"{entry} {stat[:60]}")
    return found


def reap_ended_children() -> None:
    """Reap the children of this (subreaper) process that have already exited.

    A process the grader started and that ended after its own parent (the
    sandbox probe's short-lived helpers, say) is re-parented here as a zombie:
    it runs nothing, but it would still be listed under its uid until reaped."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if entry.isdigit() and fields[1] == me and fields[0] == "Z":
            try:
                os.waitpid(int(entry), os.WNOHANG)
            except ChildProcessError:
                pass


def reap_leftovers(found: list[str]) -> None:
    for line in found:
        pid = int(line.split()[0])
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def owner(pid: str) -> int:
    """The uid that owns process ``pid`` (-1 once it is gone)."""
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return -1
