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

Without namespaces (``landlock`` mode: an ordinary user whose kernel refuses
user namespaces, or root in a container whose seccomp profile refuses
``unshare``), each worker writes its files to a private temp folder and
confines itself before loading student code: an unprivileged uid when root,
then Landlock (read-only Python and system libraries, read-write that folder,
nothing else; no TCP; signals and abstract sockets scoped) and a seccomp
filter (``seccomp.py``). The seccomp filter is added in the namespace modes
too. ``basic`` mode has none of these and says so in its hello.
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


def _load_worker() -> types.ModuleType:
    """worker.py, by path; it loads its siblings (codec.py, helpers.py) itself."""
    spec = importlib.util.spec_from_file_location("_dlgrade_worker",
                                                  os.path.join(HERE, "worker.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_dlgrade_worker"] = module
    spec.loader.exec_module(module)
    return module


worker = _load_worker()  # loading student code, serving calls
codec, helpers = worker.codec, worker.helpers
landlock = worker.sibling("_dlgrade_landlock", "landlock.py")
seccomp = worker.sibling("_dlgrade_seccomp", "seccomp.py")

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


def scrub_environment(home: str | None = None) -> None:
    os.environ.clear()
    home = home or (STUDENT_HOME if os.path.isdir(STUDENT_HOME) else os.getcwd())
    os.environ.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    })


NAMESPACE_MODES = ("namespaces", "userns")
FORKED_ONCE = ("landlock", "basic")  # no PID namespace: one fork, orphans killed by us
SYSTEM_READ_ONLY = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
                    "/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")


def chown_tree(top: str, uid: int) -> None:
    for dirpath, _dirs, names in os.walk(top):
        os.chown(dirpath, uid, uid)
        for name in names:
            os.chown(os.path.join(dirpath, name), uid, uid)


FIXED_RULES: list = []  # Landlock rules shared by every worker, prepared once


def prepare_layers(mode: str) -> None:
    """Build, before forking, what every worker loads: Landlock's fixed rules
    and the seccomp filter (each worker then pays only the system calls)."""
    if mode == "landlock" and not FIXED_RULES:
        FIXED_RULES.extend(landlock.prepare(read_only=[*SYSTEM_READ_ONLY, *python_roots()],
                                            read_write=[], devices=DEVICES))
    if mode != "basic":
        seccomp.worker_program()


def confine(home: str) -> None:
    """Landlock: read-only Python and system libraries, read-write ``home``."""
    prepare_layers("landlock")
    own = landlock.READ_WRITE & landlock.handled_fs(landlock.abi_version())
    landlock.restrict([*FIXED_RULES, (home, own)])


# ------------------------------------------------------------- the worker


def run_worker(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> None:
    """In the forked child: harden, load the student's code, serve calls."""
    os.setsid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    limits = req["limits"]
    uid = req.get("uid") if os.geteuid() == 0 else None
    if mode in NAMESPACE_MODES:
        build_root(base, req["files"], uid if mode == "namespaces" else None,
                   int(limits["tmpfs_mb"]))
    else:
        write_files(base, req["files"])
        if mode == "landlock" and uid is not None:
            chown_tree(base, uid)
        os.chdir(base)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    os.closerange(3, ctrl_fd)
    os.closerange(ctrl_fd + 1, 1 << 16)
    set_limits(limits)
    if mode in ("namespaces", "landlock") and uid is not None:
        drop_privileges(uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    scrub_environment(None if mode in NAMESPACE_MODES else base)
    if mode == "landlock":
        confine(base)
    if mode != "basic":
        # no PID namespace and no Landlock signal scoping (ABI < 6): the grader (same
        # uid) or the next worker (same job uid) could be signalled: seccomp scopes signals
        scope = mode == "landlock" and landlock.abi_version() < 6
        seccomp.worker_filter(signals_to=os.getpid() if scope else None)
    resource.setrlimit(resource.RLIMIT_AS, (int(limits["memory_mb"]) << 20,) * 2)
    sock = socket.socket(fileno=ctrl_fd)
    namespace, ready = worker.load_student(req)
    sys.stdout.flush()
    codec.send_frame(sock, codec.encode(ready))
    worker.serve(sock, namespace)


def spawn(req: dict, ctrl_fd: int, out_fd: int, mode: str, base: str) -> int:
    """Fork the worker; return the pid that, when killed, takes the whole tree."""
    if mode in FORKED_ONCE:
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
    target = MIDDLE.get(pid) if mode not in FORKED_ONCE else pid
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


PROBE_UID = 65534  # an unprivileged uid for probing what workers can reach


def probe_landlock() -> str:
    """Why Landlock mode cannot run here ("" when it can). A forked child
    confines itself as a worker would and checks it can still reach Python."""
    if landlock.abi_version() < 1:
        return "Landlock is not available (Linux 5.13 or later, with Landlock enabled)"
    if not seccomp.supported():
        return f"no seccomp filter for this system ({seccomp.arch()})"
    needed = [sys.executable, *python_roots()]
    home = tempfile.gettempdir()  # as the zygote sees it: worker folders go there
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:
                drop_privileges(PROBE_UID)
            prctl(PR_SET_NO_NEW_PRIVS, 1)
            confine(home)
            seccomp.worker_filter()
            if not os.access(home, os.W_OK | os.X_OK):
                os._exit(5)
            os._exit(0 if all(os.access(p, os.R_OK | os.X_OK) for p in needed) else 3)
        except BaseException:  # noqa: BLE001
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == 3:
        return (f"the Python installation ({', '.join(python_roots())}) is not readable by an "
                "unprivileged uid: install Python and the packages where every user can "
                "read them")
    if code == 5:
        return (f"the temp folder ({home}) is not writable by an unprivileged "
                "uid: set TMPDIR to a folder every user can write (like /tmp)")
    return "" if code == 0 else "Landlock or seccomp could not be set up (a container profile?)"


def select_mode(requested: str) -> tuple[str, str]:
    """(mode, "") for the strongest mode allowed by ``requested``, or ("", why not)."""
    reasons = []
    if requested in ("auto", "namespaces"):
        if os.geteuid() != 0:
            reasons.append("namespaces: needs root")
        elif probe_namespaces(ALL_NS):
            unshare(ZYGOTE_NS)
            return "namespaces", ""
        else:
            reasons.append("namespaces: the kernel refused new namespaces (a container?)")
    if requested in ("auto", "userns"):
        if enter_user_namespace():
            return "userns", ""  # not root: a user namespace gives the same isolation
        reasons.append("userns: this kernel does not allow user namespaces")
    if requested in ("auto", "landlock"):
        why = probe_landlock()
        if not why:
            return "landlock", ""
        reasons.append(f"landlock: {why}")
    if requested in ("auto", "basic"):
        return "basic", "; ".join(reasons)  # auto: why nothing stronger
    return "", "; ".join(reasons) or f"unknown sandbox mode '{requested}'"


COMMON_PROTECTIONS = [
    "separate process per submission", "rlimits (memory, CPU, file size, open files, "
    "processes)", "no core dumps", "scrubbed environment", "wall-clock timeout per call",
    "whole process tree killed"]
NAMESPACE_PROTECTIONS = [
    "network namespace (no network)", "mount namespace (course and grader files hidden)",
    "PID namespace", "size-capped private tmpfs"]


def describe_mode(mode: str) -> tuple[list[str], list[str]]:
    """(protections enforced, protections missing) of ``mode`` here."""
    root = os.geteuid() == 0
    abi = landlock.abi_version()
    protections = list(COMMON_PROTECTIONS)
    missing: list[str] = []
    if mode in NAMESPACE_MODES:
        protections += NAMESPACE_PROTECTIONS
        protections += (["unprivileged uid"] if mode == "namespaces" else
                        ["user namespace (no privileges outside the sandbox)"])
    else:
        protections += ["private temp working directory"]
    if mode == "landlock":
        protections += landlock.describe(abi)
        protections += ["unprivileged uid"] if root else []
        missing += ["PID namespace (the kernel gives none without namespaces; leftover "
                    "processes are killed instead)",
                    "size-capped tmpfs (each file is capped by the file-size limit, "
                    "not the folder)"]
        missing += landlock.missing(abi)
    if mode == "landlock" and abi < 6:
        protections += [seccomp.SIGNAL_SUMMARY]
    protections += ["no new privileges"]
    if mode != "basic":
        protections += [seccomp.WORKER_SUMMARY]
    else:
        missing += [
            "file isolation: student code can read and write every file this user can "
            "(solutions, hidden checks, other submissions, your home)",
            "network isolation: student code can open network connections",
            "PID namespace: processes a student starts are killed only if found",
            "seccomp filter (ptrace, keyring, bpf, namespaces, mounts are allowed)",
            "Landlock", "unprivileged uid: student code runs as this user" if not root else
            "unprivileged uid: student code runs as root"]
    return protections, missing


def main() -> None:
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    ZYGOTE_CTRL[0] = ctrl.fileno()
    requested = sys.argv[2] if len(sys.argv) > 2 else "auto"
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    if os.getppid() == 1:
        os._exit(0)
    mode, why_not = select_mode(requested)
    if not mode:
        codec.send_frame(ctrl, codec.encode({"op": "hello", "error": (
            f"sandbox mode '{requested}' is not available here: {why_not}")}))
        return
    prepare_layers(mode)
    warm_up()
    gc.collect()
    gc.freeze()  # objects from before the fork are never scanned: fewer copied pages
    base = tempfile.mkdtemp(prefix="dlgrade-root-")
    protections, missing = describe_mode(mode)
    codec.send_frame(ctrl, codec.encode({"op": "hello", "mode": mode,
                                         "protections": protections, "missing": missing,
                                         "landlock_abi": landlock.abi_version(),
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
                if mode in FORKED_ONCE:  # in a PID namespace nothing can escape
                    kill_orphans()
                reap_zombies()
                if op == "discard":
                    continue  # no reply wanted
            elif op == "reap":
                reply = reap(req["pid"])
                if mode in FORKED_ONCE:
                    kill_orphans()
            else:
                reply = {"error": f"unknown op {op}"}
            for fd in fds if op != "spawn" else ():
                os.close(fd)
            codec.send_frame(ctrl, codec.encode(reply))
    finally:
        for pid in list(MIDDLE):
            kill_tree(pid, mode)
            reap(pid)  # also removes its private temp folder
        kill_orphans()
        try:
            os.rmdir(base)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                pass


if __name__ == "__main__":
    main()
