"""The fork server's state: the workers it forked, how to end them and reap them.

Loaded by path inside the zygote, after ``worker.py`` (whose loader it uses
for its siblings): stdlib and the sandbox's own files only, never dlgrade.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from typing import Any, Callable, NoReturn


def _sibling(name: str, filename: str) -> Any:
    """A file beside this one, through worker.py's one by-path loader."""
    return sys.modules["_dlgrade_worker"].sibling(name, filename)


libc = _sibling("_dlgrade_libc", "libc.py")
jail = _sibling("_dlgrade_jail", "jail.py")
SETUP_FAILED = 71  # as in autograder/errors.py (not importable here): a grader fault
# what a forked worker runs: (request, its socket fd, its output fd, mode, base folder)
ChildMain = Callable[[dict[str, Any], int, int, str, str], NoReturn]


def decode_status(status: int) -> dict[str, int | None]:
    """``{"exit": code, "signal": n}`` from a wait status (the middle process of
    the namespace modes reports its child's signal n as exit code 128 + n)."""
    sig = code = None
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
    elif os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if code > 128:
            sig, code = code - 128, None
    return {"exit": code, "signal": sig}


class Children:
    """The workers this zygote forked, and how to end them and all they started.

    In the namespace modes a worker is forked by a "middle" process that
    entered new mount and PID namespaces: the worker is PID 1 there, so killing
    it ends its whole tree. In ``landlock`` and ``basic`` the worker is forked
    directly into a private temp home, and anything it leaves behind is found
    (the zygote is a child subreaper) and killed.
    """

    def __init__(self, mode: str, base: str, child_main: ChildMain, *,
                 ctrl_fd: int = -1) -> None:
        self.mode = mode
        self.base = base  # the namespace modes' root folder (a mount point per worker)
        self.ctrl_fd = ctrl_fd  # the zygote's own socket: closed in every child
        self.child_main = child_main
        self.middle: dict[int, int | None] = {}  # live pid -> pid whose death kills the tree
        self.ended: dict[int, int] = {}  # live pids reaped early -> their wait status
        self.homes: dict[int, str] = {}  # landlock, basic: pid -> its private temp home

    @property
    def forked_once(self) -> bool:
        """No PID namespace: one fork per worker, orphans killed by us."""
        return self.mode in jail.FORKED_ONCE

    def spawn(self, req: dict[str, Any], ctrl_fd: int, out_fd: int) -> int:
        """Fork a worker; return the pid that, when killed, takes the whole tree."""
        if self.forked_once:
            home = tempfile.mkdtemp(prefix="dlgrade-student-")
            pid = os.fork()
            if pid == 0:
                self.child_main(req, ctrl_fd, out_fd, self.mode, home)
            self.middle[pid] = pid
            self.homes[pid] = home
            return pid
        r, w = os.pipe()
        middle = os.fork()
        if middle == 0:
            os.close(r)
            self._middle_main(req, ctrl_fd, out_fd, w)
        os.close(w)
        data = b""
        while chunk := os.read(r, 32):
            data += chunk
        os.close(r)
        self.middle[middle] = int(data) if data else None
        return middle

    def _middle_main(self, req: dict[str, Any], ctrl_fd: int, out_fd: int,
                     w: int) -> NoReturn:
        """The middle process enters the namespaces; its child is PID 1 there."""
        if self.ctrl_fd >= 0:
            os.close(self.ctrl_fd)
        try:
            libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
            libc.unshare(libc.WORKER_NS)
        except libc.SandboxSetupError as exc:
            os.write(out_fd, f"sandbox setup failed: {exc}\n".encode())
            os._exit(SETUP_FAILED)  # never run the worker without its namespaces
        inner = os.fork()
        if inner == 0:
            os.close(w)
            self.child_main(req, ctrl_fd, out_fd, self.mode, self.base)
        os.write(w, str(inner).encode())
        os.close(w)
        os.close(ctrl_fd)
        os.close(out_fd)
        _, status = os.waitpid(inner, 0)
        if os.WIFSIGNALED(status):
            os._exit(128 + os.WTERMSIG(status))
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)

    def kill_tree(self, pid: int) -> None:
        """Kill a worker and everything it started."""
        target = pid if self.forked_once else self.middle.get(pid)
        for victim in filter(None, [target, pid]):
            for fn in (os.killpg, os.kill):
                try:
                    fn(victim, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def reap_zombies(self) -> None:
        """Reap every child that has ended: workers re-parented to us (we are a
        subreaper) and tracked workers that died on their own (status kept)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.middle:
                self.ended[pid] = status

    def wait_briefly(self, pid: int, grace: float) -> dict[str, int | None] | None:
        """Give a worker that is already dying ``grace`` seconds to end on its own,
        so that its real cause of death (a segfault, say) is what gets reported."""
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if pid in self.ended:
                return self.finished(pid, self.ended.pop(pid))
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return {"exit": None, "signal": None}
            if done:
                return self.finished(pid, status)
            time.sleep(0.002)
        return None

    def reap(self, pid: int) -> dict[str, int | None]:
        """Wait for a worker to end; how it ended."""
        if pid in self.ended:
            return self.finished(pid, self.ended.pop(pid))
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return {"exit": None, "signal": None}
        return self.finished(pid, status)

    def finished(self, pid: int, status: int) -> dict[str, int | None]:
        """Forget a reaped worker (removing its private home); decode its status."""
        self.middle.pop(pid, None)
        home = self.homes.pop(pid, None)
        if home:
            shutil.rmtree(home, ignore_errors=True)
        return decode_status(status)

    def kill_orphans(self) -> None:
        """Without a PID namespace: kill every child left over (descendants that
        escaped with setsid are re-parented to us, the subreaper) and reap them."""
        if not self.forked_once:
            return  # in a PID namespace nothing can escape
        me = str(os.getpid())
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and int(entry) not in self.middle:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        self.reap_zombies()  # keeps the status of a tracked worker that ended on its own

    def end_all(self) -> None:
        """Kill and reap every worker (their private homes go too), then orphans."""
        for pid in list(self.middle):
            self.kill_tree(pid)
            self.reap(pid)
        self.kill_orphans()


