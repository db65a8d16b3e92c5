"""The fork server's parts, each on real processes: the operations table, the
state of the forked workers (spawning, killing, reaping), the jail's uid rule
and the mode decision (a named mode is entered or refused, never weakened).

The zygote's files never import dlgrade: they are loaded here by path, as the
zygote loads them.
"""

from __future__ import annotations

import ctypes
import faulthandler
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from autograder.course.limits import Limits
from autograder.errors import SETUP_FAILED, WorkerGone
from autograder.sandbox.client import Zygote

SANDBOX = Path(__file__).resolve().parents[2] / "autograder" / "sandbox"
SECCOMP = str(SANDBOX / "seccomp.py")
PROBE = str(SANDBOX / "probe.py")
SPEC = {"kind": "py", "module": "neural_network", "entry": "neural_network.py"}
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="namespaces mode needs root")


@pytest.fixture(scope="module")
def zygote_module() -> Any:
    """zygote.py and its siblings, loaded by path as ``python zygote.py`` loads them."""
    spec = importlib.util.spec_from_file_location("_test_zygote", SANDBOX / "zygote.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exits_with(code: int) -> Callable[..., Any]:
    """A worker body that ends at once with ``code``."""
    return lambda req, ctrl_fd, out_fd, mode, base: os._exit(code)


def sleeps(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> Any:
    time.sleep(60)
    os._exit(0)


def crashes(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> Any:
    """A real segmentation fault (PID 1 of a namespace ignores a sent SIGSEGV)."""
    faulthandler.disable()  # pytest's, inherited by the fork: no dump on stderr
    ctypes.string_at(0)
    os._exit(0)


@pytest.fixture()
def fds() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    os.close(r)
    os.close(w)


# ------------------------------------------------------------- the operations table


def test_unknown_operation_is_refused_with_a_clear_reply() -> None:
    zygote = Zygote(job=7, mode="basic")
    try:
        assert zygote._request({"op": "format_disk"}) == {
            "error": "unknown op 'format_disk' (known: discard, kill, reap, spawn)"}
        assert zygote._request({"no_op": 1}) == {
            "error": "unknown op None (known: discard, kill, reap, spawn)"}
        # and it still serves: a real worker is forked and reaped
        worker = zygote.spawn(files={"neural_network.py": "X = 1\n"}, spec=SPEC,
                              limits=Limits())
        assert worker.wait_ready()["defined"] == []
        assert zygote.kill(worker.pid) == {"exit": None, "signal": signal.SIGKILL}
        worker.sock.close()
    finally:
        zygote.close()


def test_operations_table_names_every_operation(zygote_module: Any) -> None:
    assert sorted(zygote_module.OPERATIONS) == ["discard", "kill", "reap", "spawn"]


# ------------------------------------------------------------- the children's state


@pytest.mark.parametrize("mode", ["basic", pytest.param("namespaces", marks=root_only)])
def test_children_reap_a_worker_and_report_its_exit(zygote_module: Any, mode: str,
                                                    fds: tuple[int, int]) -> None:
    base = tempfile.mkdtemp(prefix="test-zygote-")
    kids = zygote_module.forks.Children(mode, base, exits_with(3))
    pid = kids.spawn({}, *fds)
    home = kids.homes.get(pid)
    assert kids.reap(pid) == {"exit": 3, "signal": None}
    assert kids.middle == {} and kids.homes == {}
    assert home is None or not os.path.exists(home)  # basic: its private home is gone
    os.rmdir(base)


@pytest.mark.parametrize("mode", ["basic", pytest.param("namespaces", marks=root_only)])
def test_children_report_a_crash_as_its_signal(zygote_module: Any, mode: str,
                                               fds: tuple[int, int]) -> None:
    kids = zygote_module.forks.Children(mode, tempfile.gettempdir(), crashes)
    pid = kids.spawn({}, *fds)
    assert kids.reap(pid) == {"exit": None, "signal": signal.SIGSEGV}


@pytest.mark.parametrize("mode", ["basic", pytest.param("namespaces", marks=root_only)])
def test_children_kill_a_hanging_worker(zygote_module: Any, mode: str,
                                        fds: tuple[int, int]) -> None:
    kids = zygote_module.forks.Children(mode, tempfile.gettempdir(), sleeps)
    pid = kids.spawn({}, *fds)
    assert kids.wait_briefly(pid, 0.05) is None  # still running
    kids.kill_tree(pid)
    assert kids.reap(pid) == {"exit": None, "signal": signal.SIGKILL}
    assert kids.middle == {}


def test_children_keep_the_status_of_a_worker_reaped_early(zygote_module: Any,
                                                           fds: tuple[int, int]) -> None:
    kids = zygote_module.forks.Children("basic", tempfile.gettempdir(), exits_with(5))
    pid = kids.spawn({}, *fds)
    deadline = time.monotonic() + 10
    while pid not in kids.ended and time.monotonic() < deadline:
        kids.reap_zombies()  # as after killing another worker
        time.sleep(0.01)
    assert kids.wait_briefly(pid, 1.0) == {"exit": 5, "signal": None}
    assert kids.ended == {} and kids.middle == {}


def test_end_all_leaves_no_worker(zygote_module: Any, fds: tuple[int, int]) -> None:
    kids = zygote_module.forks.Children("basic", tempfile.gettempdir(), sleeps)
    pids = [kids.spawn({}, *fds) for _ in range(3)]
    kids.end_all()
    assert kids.middle == {} and kids.homes == {}
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already


# ------------------------------------------------------------- never weaker than asked


@root_only
def test_worker_that_cannot_enter_its_namespaces_is_a_setup_failure(
        zygote_module: Any) -> None:
    """A middle process whose unshare is refused (a seccomp filter, as in a
    container) ends with the setup-failure code: the worker never runs."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            zygote_module.seccomp.refuse_namespaces()
            out_r, out_w = os.pipe()
            kids = zygote_module.forks.Children("namespaces", tempfile.gettempdir(),
                                                exits_with(0))
            status = kids.reap(kids.spawn({}, out_r, out_w))
            os.close(out_w)
            said = os.read(out_r, 4096).decode()
            os.write(w, json.dumps([status, said]).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        status, said = json.loads(fh.read())
    os.waitpid(pid, 0)
    assert status == {"exit": SETUP_FAILED, "signal": None}
    assert said.startswith("sandbox setup failed: unshare: ")


@root_only
def test_namespaces_worker_without_a_uid_is_refused_not_run_as_root(
        reference_source: str) -> None:
    zygote = Zygote(job=7, mode="namespaces")
    try:
        assert zygote.mode == "namespaces"
        zygote.uid = None  # a request that would leave the worker root
        worker = zygote.spawn(files={"neural_network.py": reference_source}, spec=SPEC,
                              limits=Limits())
        with pytest.raises(WorkerGone) as gone:
            worker.wait_ready()
        assert gone.value.setup_failed
        assert "namespaces mode as root needs an unprivileged uid" in zygote.log_tail()
    finally:
        zygote.close()


def test_worker_uid_rule(zygote_module: Any) -> None:
    jail = zygote_module.jail
    if os.geteuid() == 0:
        with pytest.raises(zygote_module.libc.SandboxSetupError):
            jail.worker_uid("namespaces", None)
        assert jail.worker_uid("namespaces", 61007) == 61007
        assert jail.worker_uid("landlock", None) is None
    assert jail.worker_uid("userns", None) is None


def test_a_named_mode_is_entered_or_refused(zygote_module: Any) -> None:
    choose = zygote_module.selection.choose
    tried: list[str] = []

    def refuse(mode: str) -> Callable[[], str]:
        return lambda: tried.append(mode) or f"{mode} refused here"

    attempts = {m: refuse(m) for m in ("namespaces", "userns", "landlock")}
    assert choose("namespaces", attempts) == ("", "namespaces: namespaces refused here")
    assert tried == ["namespaces"]  # nothing weaker was even tried
    assert choose("landlock", attempts) == ("", "landlock: landlock refused here")
    assert choose("auto", attempts) == ("basic", "namespaces: namespaces refused here; "
                                        "userns: userns refused here; "
                                        "landlock: landlock refused here")
    assert choose("basic", {}) == ("basic", "")
    assert choose("portable", attempts) == ("", "unknown sandbox mode 'portable'")
    assert choose("auto", {**attempts, "userns": lambda: ""}) == ("userns", "")


@pytest.mark.parametrize("mode", ["namespaces", "userns"])
def test_forced_namespace_mode_in_a_container_is_refused(mode: str) -> None:
    """The zygote's own selection, run where namespaces are refused: a named
    namespace mode is refused with the reason, never replaced by basic."""
    proc = subprocess.run([sys.executable, SECCOMP, "refuse-namespaces", sys.executable,
                           "-I", PROBE, mode], capture_output=True, text=True, timeout=60)
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    reason = ("the kernel refused new namespaces (a container?)" if os.geteuid() == 0
              else "needs root") if mode == "namespaces" else \
        "this kernel does not allow user namespaces"
    assert answer == {"mode": "", "why_not": f"{mode}: {reason}"}


def test_the_zygote_side_loads_no_dlgrade_module() -> None:
    """zygote.py and every file it loads run beside student code: none may
    import dlgrade (which is importable here, so an import would succeed)."""
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('_z', {str(SANDBOX / 'zygote.py')!r})\n"
            "module = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(module)\n"
            "print(sorted(n for n in sys.modules if n.startswith('autograder')))\n"
            "print(sorted(n for n in sys.modules if n.startswith('_dlgrade_')))\n")
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                          timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    dlgrade_modules, siblings = proc.stdout.splitlines()
    assert dlgrade_modules == "[]"
    assert siblings == str(sorted(f"_dlgrade_{n}" for n in (
        "children", "codec", "helpers", "jail", "landlock", "libc", "seccomp", "selection",
        "worker")))
