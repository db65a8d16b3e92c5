"""The sandbox zygote and worker (runs OUTSIDE the trusted grader).

Started as ``python -I zygote.py CTRL_FD``. It imports numpy once, then forks
one hardened worker per submission on request. It never imports dlgrade, the
solutions or the checks: only this file, ``codec.py``, ``helpers.py`` and
``worker.py`` (loading the student's code, serving calls) are loaded, by path.

Per worker (when the platform allows; the trusted side is told which layers
were applied):
* its own session and, as root or in a user namespace, new PID, mount,
  network, IPC and UTS namespaces; the worker is PID 1 of its namespace, so
  killing it kills every process it started, ``setsid`` or not;
* a fresh root filesystem on a size-capped tmpfs holding read-only binds of
  ``/usr`` and the Python installation only, plus a private home with a copy
  of the submission: course files, other submissions and the grader's files
  do not exist in there;
* an unprivileged uid (when started as root), no new privileges;
* rlimits on address space, CPU seconds, file size, open files, processes,
  core dumps; a scrubbed environment; stdout/stderr sent to a pipe that the
  trusted side drains with a size cap.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import importlib.util
import os
import resource
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name: str, filename: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


codec = _load("_dlgrade_codec", "codec.py")
helpers = _load("_dlgrade_helpers", "helpers.py")
worker = _load("_dlgrade_worker", "worker.py")  # loading student code, serving calls

import numpy as np  # noqa: E402  (pre-warm: every worker inherits it)


def warm_up() -> None:
    """Import what student files usually import and run the numpy paths they
    use once, so every worker inherits them instead of paying on first use."""
    import collections  # noqa: F401
    import functools  # noqa: F401
    import itertools  # noqa: F401
    import math  # noqa: F401
    import random  # noqa: F401
    import typing  # noqa: F401

    import numpy.typing  # noqa: F401  (the course's files import NDArray from it)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 3))
    W = np.zeros((3, 1))
    for _ in range(3):
        order = np.random.permutation(16)
        Z = X[order[:8]] @ W + np.zeros((1, 1))
        err = np.maximum(0, Z) - np.exp(-np.abs(Z)) / (1 + np.exp(Z))
        W = W - 0.1 * (X[order[:8]].T @ err) / 8
        _ = float(np.mean(err ** 2)), np.sum(err, axis=1, keepdims=True), np.std(X, axis=0)
        _ = np.where(X > 0, X, 0.0), np.clip(X, 1e-15, 1), np.log(np.abs(X) + 1e-15)
        _ = np.max(X, axis=1, keepdims=True), np.zeros_like(X), np.ndindex(W.shape)
        _ = f"{float(np.mean(err)):.4f}", np.isclose(X, X), np.allclose(X, X)
        _ = np.tanh(X), np.dot(X, W), np.matmul(X, W), np.nditer(W, flags=["multi_index"])

libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

STUDENT_HOME = "/home/student"


class SandboxSetupError(Exception):
    pass


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SandboxSetupError(f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(libc.unshare(flags), "unshare")


def mount(src: str | None, dst: str, fstype: str | None, flags: int, data: str | None) -> None:
    def b(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None
    _check(libc.mount(b(src), b(dst), b(fstype), ctypes.c_ulong(flags), b(data)),
           f"mount {dst}")


def prctl(option: int, value: int) -> None:
    libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0)


# ------------------------------------------------------------- probing


def probe_namespaces(flags: int) -> bool:
    """Can a child of ours enter new namespaces with these flags?"""
    pid = os.fork()
    if pid == 0:
        try:
            unshare(flags)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


ALL_NS = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
# the zygote enters empty network, IPC and UTS namespaces once (its workers inherit
# them: one worker at a time per zygote); each worker gets its own mount and PID ns
ZYGOTE_NS = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
WORKER_NS = CLONE_NEWNS | CLONE_NEWPID


def enter_user_namespace() -> bool:
    """Become root of a new user namespace (mapped to our own uid), with empty
    network, IPC and UTS namespaces, if this kernel lets an ordinary user.
    Workers can then get their own mount and PID namespaces as under root."""
    if not probe_namespaces(CLONE_NEWUSER | ALL_NS):
        return False
    uid, gid = os.geteuid(), os.getegid()
    try:
        unshare(CLONE_NEWUSER | ZYGOTE_NS)
        with open("/proc/self/setgroups", "w") as fh:
            fh.write("deny")
        with open("/proc/self/uid_map", "w") as fh:
            fh.write(f"0 {uid} 1")
        with open("/proc/self/gid_map", "w") as fh:
            fh.write(f"0 {gid} 1")
    except (OSError, SandboxSetupError):
        os._exit(75)  # half-entered: let the grader see the sandbox fail loudly
    return True


def python_roots() -> list[str]:
    """Directories the worker needs read-only: the Python installation(s)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    numpy_site = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))
    candidates.add(numpy_site)
    roots: list[str] = []
    for path in sorted(os.path.realpath(p) for p in candidates if p):
        if path in ("/", "/usr") or path.startswith("/usr/") or not os.path.isdir(path):
            continue
        if any(path == r or path.startswith(r + "/") for r in roots):
            continue
        roots.append(path)
    return roots


# ------------------------------------------------------------- worker setup


def build_root(base: str, files: dict[str, str], uid: int | None, tmpfs_mb: int) -> None:
    """Inside a fresh mount namespace: make ``base`` a minimal root and chroot."""
    mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmpfs_mb}m,mode=755")

    def bind(src: str, *, writable: bool = False, is_file: bool = False) -> None:
        dst = base + src
        if is_file:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            open(dst, "a").close()
        else:
            os.makedirs(dst, exist_ok=True)
        mount(src, dst, None, MS_BIND | MS_REC, None)
        if not writable:
            # keep the source's own flags: in a user namespace they are locked
            kept = os.statvfs(src).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC | 1024 | 2048)
            mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | kept, None)

    bind("/usr")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            os.symlink(os.readlink(top), base + top)
        elif os.path.isdir(top):
            bind(top)
    for root in python_roots():
        bind(root)
    for dev in ("null", "zero", "urandom", "random"):
        bind("/dev/" + dev, writable=True, is_file=True)
    os.makedirs(base + "/proc", exist_ok=True)
    try:
        mount("proc", base + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    except SandboxSetupError:
        pass  # some containers forbid a new proc; the worker does not need it
    os.makedirs(base + "/tmp", exist_ok=True)  # may exist: a venv under /tmp is bound there
    os.chmod(base + "/tmp", 0o1777)
    os.makedirs(base + "/etc", exist_ok=True)
    with open(base + "/etc/passwd", "w") as fh:
        fh.write(f"student:x:{uid or 0}:{uid or 0}:student:{STUDENT_HOME}:/bin/sh\n")
    home = base + STUDENT_HOME
    os.makedirs(home, exist_ok=True)
    write_files(home, files)
    if uid is not None:
        for dirpath, _dirs, names in os.walk(home):
            os.chown(dirpath, uid, uid)
            for name in names:
                os.chown(os.path.join(dirpath, name), uid, uid)
    os.chroot(base)
    os.chdir(STUDENT_HOME)


def write_files(home: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = os.path.normpath(os.path.join(home, rel))
        if not path.startswith(home + "/"):
            continue  # never write outside the home
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def set_limits(limits: dict) -> None:
    def cap(which: int, value: int) -> None:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(which)
            resource.setrlimit(which, (min(value, hard) if hard >= 0 else value, hard))
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    cap(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * 1024 * 1024)
    cap(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    cap(resource.RLIMIT_NPROC, int(limits["processes"]))


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def scrub_environment() -> None:
    os.environ.clear()
    os.environ.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": STUDENT_HOME if os.path.isdir(STUDENT_HOME) else os.getcwd(),
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    })


# ------------------------------------------------------------- the worker


def run_worker(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> None:
    """In the forked child: harden, load the student's code, serve calls."""
    os.setsid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    limits = req["limits"]
    uid = req.get("uid")
    if mode in ("namespaces", "userns"):
        build_root(base, req["files"], uid if mode == "namespaces" else None,
                   int(limits["tmpfs_mb"]))
    else:
        write_files(base, req["files"])
        os.chdir(base)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    os.closerange(3, ctrl_fd)
    os.closerange(ctrl_fd + 1, 1 << 16)
    set_limits(limits)
    if mode == "namespaces" and uid is not None and os.geteuid() == 0:
        drop_privileges(uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    scrub_environment()
    resource.setrlimit(resource.RLIMIT_AS, (int(limits["memory_mb"]) << 20,) * 2)
    sock = socket.socket(fileno=ctrl_fd)
    namespace, ready = worker.load_student(req)
    sys.stdout.flush()
    codec.send_frame(sock, codec.encode(ready))
    worker.serve(sock, namespace)


def spawn(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> int:
    """Fork the worker; return the pid that, when killed, takes the whole tree."""
    if mode == "basic":
        home = tempfile.mkdtemp(prefix="dlgrade-student-")
        pid = os.fork()
        if pid == 0:
            _child_main(req, ctrl_fd, out_fd, mode, home)
        MIDDLE[pid] = pid
        HOMES[pid] = home
        return pid
    r, w = os.pipe()
    middle = os.fork()
    if middle == 0:
        # the middle process enters the namespaces; its child is PID 1 there
        os.close(r)
        os.close(ZYGOTE_CTRL[0])
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        try:
            unshare(WORKER_NS)
        except SandboxSetupError:
            os._exit(70)
        inner = os.fork()
        if inner == 0:
            os.close(w)
            _child_main(req, ctrl_fd, out_fd, mode, base)
        os.write(w, str(inner).encode())
        os.close(w)
        os.close(ctrl_fd)
        os.close(out_fd)
        _, status = os.waitpid(inner, 0)
        if os.WIFSIGNALED(status):
            os._exit(128 + os.WTERMSIG(status))
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 32)
        if not chunk:
            break
        data += chunk
    os.close(r)
    MIDDLE[middle] = int(data) if data else None
    return middle


def _child_main(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> None:
    try:
        run_worker(req, ctrl_fd, out_fd, mode, base)
    except BaseException:  # noqa: BLE001
        try:
            os.write(2, traceback.format_exc().encode()[-2000:])
        finally:
            os._exit(71)
    os._exit(0)


MIDDLE: dict[int, int | None] = {}  # live worker pid -> pid whose death kills the tree
ENDED: dict[int, int] = {}  # live-worker pids reaped early -> their wait status
HOMES: dict[int, str] = {}  # basic mode: worker pid -> its private temp home
ZYGOTE_CTRL = [-1]


def kill_tree(pid: int, mode: str) -> None:
    """Kill a worker and everything it started."""
    target = MIDDLE.get(pid) if mode != "basic" else pid
    for victim in filter(None, [target, pid]):
        for fn in (os.killpg, os.kill):
            try:
                fn(victim, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def reap_zombies() -> None:
    """Reap every child that has ended: workers re-parented to us (we are a
    subreaper) and middles that died on their own (their status is kept)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in MIDDLE:
            ENDED[pid] = status


def wait_briefly(pid: int, grace: float) -> dict | None:
    """Give a worker that is already dying ``grace`` seconds to end on its own,
    so that its real cause of death (a segfault, say) is what gets reported."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if pid in ENDED:
            return _finished(pid, ENDED.pop(pid))
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return {"exit": None, "signal": None}
        if done:
            return _finished(pid, status)
        time.sleep(0.002)
    return None


def reap(pid: int) -> dict:
    if pid in ENDED:
        return _finished(pid, ENDED.pop(pid))
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return {"exit": None, "signal": None}
    return _finished(pid, status)


def _finished(pid: int, status: int) -> dict:
    """Forget a reaped worker; decode its wait status."""
    MIDDLE.pop(pid, None)
    home = HOMES.pop(pid, None)
    if home:
        shutil.rmtree(home, ignore_errors=True)
    sig = None
    code = None
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
    elif os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if code > 128:  # the middle process reports its child's signal as 128 + n
            sig, code = code - 128, None
    return {"exit": code, "signal": sig}


def kill_orphans() -> None:
    """Kill every child left over (descendants that escaped with setsid
    are re-parented to us, the subreaper) and reap them."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and int(entry) not in MIDDLE:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass
    reap_zombies()  # keeps the status of a tracked worker that ended on its own


def main() -> None:
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    ZYGOTE_CTRL[0] = ctrl.fileno()
    forced_mode = sys.argv[2] if len(sys.argv) > 2 else "auto"
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    if os.getppid() == 1:
        os._exit(0)
    if forced_mode == "auto" and os.geteuid() == 0 and probe_namespaces(ALL_NS):
        mode = "namespaces"
        unshare(ZYGOTE_NS)
    elif forced_mode in ("auto", "userns") and enter_user_namespace():
        mode = "userns"  # not root: a user namespace gives the same isolation but the uid
    else:
        mode = "basic"
    warm_up()
    gc.collect()
    gc.freeze()  # objects from before the fork are never scanned: fewer copied pages
    base = tempfile.mkdtemp(prefix="dlgrade-root-")
    protections = ["separate process per submission", "rlimits (memory, CPU, file size, "
                   "open files, processes)", "no core dumps", "scrubbed environment",
                   "wall-clock timeout per call", "whole process tree killed"]
    if mode in ("namespaces", "userns"):
        protections += ["network namespace (no network)",
                        "mount namespace (course and grader files hidden)",
                        "PID namespace", "size-capped private tmpfs"]
    if mode == "namespaces":
        protections += ["unprivileged uid"]
    elif mode == "userns":
        protections += ["user namespace (no privileges outside the sandbox)"]
    else:
        protections += ["private temp working directory"]
    codec.send_frame(ctrl, codec.encode({"op": "hello", "mode": mode,
                                         "protections": protections,
                                         "python_roots": python_roots()}))
    try:
        while True:
            try:
                _msg, fds, _flags, _addr = socket.recv_fds(ctrl, 1, 2)
                if not _msg:
                    break
                req = codec.decode(codec.recv_frame(ctrl))
            except (EOFError, ConnectionError, OSError):
                break
            op = req["op"]
            reply: dict | None
            if op == "spawn":
                ctrl_fd, out_fd = fds
                pid = spawn(req, ctrl_fd, out_fd, mode, base)
                os.close(ctrl_fd)
                os.close(out_fd)
                reply = {"pid": pid}
            elif op in ("kill", "discard"):
                reply = wait_briefly(req["pid"], float(req.get("grace", 0)))
                if reply is None:
                    kill_tree(req["pid"], mode)
                    reply = reap(req["pid"])
                if mode == "basic":  # in a PID namespace nothing can escape
                    kill_orphans()
                reap_zombies()
                if op == "discard":
                    continue  # no reply wanted
            elif op == "reap":
                reply = reap(req["pid"])
                if mode == "basic":
                    kill_orphans()
            else:
                reply = {"error": f"unknown op {op}"}
            for fd in fds if op != "spawn" else ():
                os.close(fd)
            codec.send_frame(ctrl, codec.encode(reply))
    finally:
        for pid in list(MIDDLE):
            kill_tree(pid, mode)
        kill_orphans()
        try:
            os.rmdir(base)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                pass


if __name__ == "__main__":
    main()
