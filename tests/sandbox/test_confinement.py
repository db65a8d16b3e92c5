"""Confinement layers, each tried from a real forked child: the seccomp filter
refuses what a worker never needs (and scopes signals where Landlock cannot),
Landlock lets a worker read Python and write its own folder only.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from sandbox_users import python_paths

from autograder.sandbox import landlock, seccomp

SECCOMP = str(Path(seccomp.__file__))


def in_child(body: Callable[[], dict]) -> dict:
    """Run ``body`` in a forked child (confinement is for good) and return its dict."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            result = body()
        except BaseException as exc:  # noqa: BLE001
            result = {"crashed": repr(exc)}
        os.write(w, json.dumps(result).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def attempt(fn: Callable[[], object]) -> str:
    """"ok", or the errno name an attempt failed with."""
    try:
        fn()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc))
    return "ok"


def test_seccomp_denies_what_a_worker_never_needs(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    libc = ctypes.CDLL(None, use_errno=True)

    def clone_newuser() -> None:
        if libc.syscall(seccomp.syscalls()["unshare"], 0x10000000) != 0:
            raise OSError(ctypes.get_errno(), "unshare")

    def ptrace_parent() -> None:
        if libc.ptrace(16, os.getppid(), 0, 0) != 0:  # PTRACE_ATTACH
            raise OSError(ctypes.get_errno(), "ptrace")

    def body() -> dict:
        seccomp.worker_filter()
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        return {
            "inet": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
            "inet6": attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)),
            "netlink": attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),
            "unix_dgram": attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)),
            "unix_connect": attempt(lambda: unix.connect("/run/anything.sock")),
            "socketpair": attempt(lambda: socket.socketpair()),
            "unshare": attempt(clone_newuser),
            "ptrace": attempt(ptrace_parent),
            "fork_and_exec": attempt(lambda: subprocess.run(
                [sys.executable, "-c", "print(1)"], check=True, capture_output=True)),
            "file": attempt(lambda: (tmp_path / "x").write_text("fine")),
        }

    result = in_child(body)
    listener.close()
    assert result == {"inet": "EPERM", "inet6": "EPERM", "netlink": "EPERM",
                      "unix_dgram": "EPERM", "unix_connect": "EPERM", "socketpair": "ok",
                      "unshare": "EPERM", "ptrace": "EPERM", "fork_and_exec": "ok",
                      "file": "ok"}, result
    assert port  # the listener was real: only the filter stopped the attempts


# numbers written out independently of seccomp.py's own table
RAW_CALLS = {
    "x86_64": {"keyctl": 250, "bpf": 321, "io_uring_setup": 425, "perf_event_open": 298,
               "userfaultfd": 323, "mount": 165, "process_vm_readv": 310, "setns": 308,
               "clone3": 435, "clone": 56, "shmget": 29, "kexec_load": 246, "getpid": 39},
    "aarch64": {"keyctl": 219, "bpf": 280, "io_uring_setup": 425, "perf_event_open": 241,
                "userfaultfd": 282, "mount": 40, "process_vm_readv": 270, "setns": 268,
                "clone3": 435, "clone": 220, "shmget": 194, "kexec_load": 104, "getpid": 172},
}


@pytest.mark.skipif(os.uname().machine not in RAW_CALLS, reason="no syscall table here")
def test_seccomp_denies_the_kernel_interfaces_a_worker_never_needs() -> None:
    nr = RAW_CALLS[os.uname().machine]

    def body() -> dict:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        seccomp.worker_filter()
        out = {}
        calls = {"keyctl": (0, 0), "bpf": (0, 0, 0), "io_uring_setup": (1, 0),
                 "perf_event_open": (0, 0, -1, -1, 0), "userfaultfd": (0,),
                 "mount": (0, 0, 0, 0, 0), "process_vm_readv": (1, 0, 0, 0, 0, 0),
                 "setns": (-1, 0), "clone3": (0, 0), "shmget": (0, 4096, 0o1000),
                 "kexec_load": (0, 0, 0, 0), "clone": (0x40000000 | 17, 0, 0, 0, 0),
                 "getpid": ()}
        for name, args in calls.items():
            ret = libc.syscall(ctypes.c_long(nr[name]), *[ctypes.c_long(a) for a in args])
            out[name] = "ok" if ret >= 0 else errno.errorcode[ctypes.get_errno()]
        return out

    result = in_child(body)
    expected = {name: "EPERM" for name in RAW_CALLS["x86_64"]}
    expected.update(clone3="ENOSYS", getpid="ok")  # clone3: libc falls back to clone
    assert result == expected


def test_seccomp_scopes_signals_where_landlock_cannot() -> None:
    """Landlock ABI < 6 cannot scope signals; a worker running as the grader's
    own user then gets a seccomp rule: itself and its process group only."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setsid()
            seccomp.worker_filter(signals_to=os.getpid())
            child = os.fork()
            if child == 0:
                time.sleep(5)
                os._exit(0)
            result = {"parent": attempt(lambda: os.kill(os.getppid(), 0)),
                      "everyone": attempt(lambda: os.kill(-1, 0)),
                      "itself": attempt(lambda: os.kill(os.getpid(), 0)),
                      "group_by_id": attempt(lambda: os.kill(-os.getpid(), 0)),
                      "a_child_by_pid": attempt(lambda: os.kill(child, 0))}
            os.write(w, json.dumps(result).encode())
            os.kill(0, signal.SIGKILL)  # the whole group: the sleeping child and this one
        finally:
            os._exit(1)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        result = json.loads(fh.read())
    os.waitpid(pid, 0)
    assert result == {"parent": "EPERM", "everyone": "EPERM", "itself": "ok",
                      "group_by_id": "ok", "a_child_by_pid": "EPERM"}


@pytest.mark.skipif(landlock.abi_version() < 1, reason="this kernel has no Landlock")
def test_landlock_allows_python_and_the_temp_folder_only(tmp_path: Path, repo: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    home = tmp_path / "home"
    home.mkdir()
    abi = landlock.abi_version()

    def body() -> dict:
        python = [p for p in python_paths() if p != str(repo)]  # the venv, not the course
        enforced = landlock.confine(read_only=["/usr", "/lib", *python],
                                    read_write=[str(home)], devices=["/dev/null"])
        return {
            "enforced": enforced,
            "solution": attempt(lambda: open(repo / "solutions" / "neural_network.py").read()),
            "list_course": attempt(lambda: os.listdir(repo)),
            "write_home": attempt(lambda: (home / "f.txt").write_text("mine")),
            "write_elsewhere": attempt(lambda: (tmp_path / "g.txt").write_text("no")),
            "import": attempt(lambda: open(os.path.join(os.path.dirname(os.__file__),
                                                        "colorsys.py")).read()),
            "tcp": attempt(lambda: socket.create_connection(("127.0.0.1", port), timeout=1)),
            "signal_parent": attempt(lambda: os.kill(os.getppid(), 0)),
        }

    result = in_child(body)
    listener.close()
    assert result["enforced"] == landlock.describe(abi)
    assert result["solution"] == result["list_course"] == result["write_elsewhere"] == "EACCES"
    assert result["write_home"] == result["import"] == "ok"
    assert result["tcp"] == ("EACCES" if abi >= 4 else "ok")
    assert result["signal_parent"] == ("EPERM" if abi >= 6 else "ok")
