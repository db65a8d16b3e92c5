"""Building one worker's jail, in the forked child, before student code loads.

Loaded by path inside the zygote, after ``worker.py`` (whose loader it uses
for its siblings): stdlib, numpy and the sandbox's own files only, never
dlgrade. Per mode (see ``selection.py`` for which mode runs):

* ``namespaces`` (root) and ``userns``: a fresh root filesystem on a
  size-capped tmpfs in a new mount namespace (read-only binds of ``/usr`` and
  the Python installation, a private home with a copy of the submission);
  ``namespaces`` also drops to the job's unprivileged uid;
* ``landlock``: a private temp folder, the job's uid when root, then Landlock
  (read-only Python and system libraries, read-write that folder);
* every mode: rlimits, no new privileges, a scrubbed environment; every mode
  but ``basic``: the seccomp filter.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from typing import Any

import numpy as np


def _sibling(name: str, filename: str) -> Any:
    """A file beside this one, through worker.py's one by-path loader."""
    return sys.modules["_dlgrade_worker"].sibling(name, filename)


libc = _sibling("_dlgrade_libc", "libc.py")
landlock = _sibling("_dlgrade_landlock", "landlock.py")
seccomp = _sibling("_dlgrade_seccomp", "seccomp.py")

STUDENT_HOME = "/home/student"
NAMESPACE_MODES = ("namespaces", "userns")
FORKED_ONCE = ("landlock", "basic")  # no PID namespace: one fork, orphans killed by us
SYSTEM_READ_ONLY = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
                    "/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
FIXED_RULES: list[Any] = []  # Landlock rules shared by every worker, prepared once


def probe_namespaces(flags: int) -> bool:
    """Can a child of ours enter new namespaces with these flags?"""
    pid = os.fork()
    if pid == 0:
        try:
            libc.unshare(flags)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def enter_user_namespace() -> bool:
    """Become root of a new user namespace (mapped to our own uid), with empty
    network, IPC and UTS namespaces, if this kernel lets an ordinary user.
    Workers can then get their own mount and PID namespaces as under root."""
    if not probe_namespaces(libc.CLONE_NEWUSER | libc.ALL_NS):
        return False
    uid, gid = os.geteuid(), os.getegid()
    try:
        libc.unshare(libc.CLONE_NEWUSER | libc.ZYGOTE_NS)
        with open("/proc/self/setgroups", "w") as fh:
            fh.write("deny")
        with open("/proc/self/uid_map", "w") as fh:
            fh.write(f"0 {uid} 1")
        with open("/proc/self/gid_map", "w") as fh:
            fh.write(f"0 {gid} 1")
    except (OSError, libc.SandboxSetupError):
        os._exit(75)  # half-entered: let the grader see the sandbox fail loudly
    return True


def python_roots() -> list[str]:
    """Directories the worker needs read-only: the Python installation(s)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
                  os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))}
    roots: list[str] = []
    for path in sorted(os.path.realpath(p) for p in candidates if p):
        if path in ("/", "/usr") or path.startswith("/usr/") or not os.path.isdir(path):
            continue
        if any(path == r or path.startswith(r + "/") for r in roots):
            continue
        roots.append(path)
    return roots


def _bind(base: str, src: str, *, writable: bool = False, is_file: bool = False) -> None:
    dst = base + src
    if is_file:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "a").close()
    else:
        os.makedirs(dst, exist_ok=True)
    libc.mount(src, dst, None, libc.MS_BIND | libc.MS_REC, None)
    if not writable:
        # keep the source's own flags: in a user namespace they are locked
        kept = os.statvfs(src).f_flag & (libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC
                                         | libc.MS_NOATIME | libc.MS_NODIRATIME)
        libc.mount(None, dst, None, libc.MS_BIND | libc.MS_REMOUNT | libc.MS_RDONLY
                   | libc.MS_NOSUID | kept, None)


def build_root(base: str, files: dict[str, str], uid: int | None, tmpfs_mb: int) -> None:
    """Inside a fresh mount namespace: make ``base`` a minimal root and chroot."""
    libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE, None)
    libc.mount("tmpfs", base, "tmpfs", libc.MS_NOSUID | libc.MS_NODEV,
               f"size={tmpfs_mb}m,mode=755")
    _bind(base, "/usr")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            os.symlink(os.readlink(top), base + top)
        elif os.path.isdir(top):
            _bind(base, top)
    for root in python_roots():
        _bind(base, root)
    for dev in ("null", "zero", "urandom", "random"):
        _bind(base, "/dev/" + dev, writable=True, is_file=True)
    os.makedirs(base + "/proc", exist_ok=True)
    try:
        libc.mount("proc", base + "/proc", "proc",
                   libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC, None)
    except libc.SandboxSetupError:
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
        chown_tree(home, uid)
    os.chroot(base)
    os.chdir(STUDENT_HOME)


def write_files(home: str, files: dict[str, str]) -> None:
    """Write the submission's files under ``home`` (never outside it)."""
    for rel, text in files.items():
        path = os.path.normpath(os.path.join(home, rel))
        if not path.startswith(home + "/"):
            continue  # never write outside the home
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def chown_tree(top: str, uid: int) -> None:
    """Give ``top`` and everything under it to ``uid``."""
    for dirpath, _dirs, names in os.walk(top):
        os.chown(dirpath, uid, uid)
        for name in names:
            os.chown(os.path.join(dirpath, name), uid, uid)


def set_limits(limits: dict[str, Any]) -> None:
    """The rlimits of ``limits`` (all but the address space, set last)."""
    def cap(which: int, value: int) -> None:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            _soft, hard = resource.getrlimit(which)
            resource.setrlimit(which, (min(value, hard) if hard >= 0 else value, hard))
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    cap(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * 1024 * 1024)
    cap(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    cap(resource.RLIMIT_NPROC, int(limits["processes"]))


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (group ``uid``, no supplementary groups) for good."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def scrub_environment(home: str | None = None) -> None:
    """Replace the environment with a fixed, minimal one."""
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


def worker_uid(mode: str, requested: int | None) -> int | None:
    """The uid a worker of ``mode`` drops to (``None``: it keeps ours).

    Raises:
        SandboxSetupError: ``namespaces`` mode as root without a uid to drop to:
            the worker would run as root, weaker than the mode promises.
    """
    if os.geteuid() != 0:
        return None
    if mode == "namespaces" and requested is None:
        raise libc.SandboxSetupError("namespaces mode as root needs an unprivileged uid "
                                     "for the worker; none was given")
    return requested


def harden(req: dict[str, Any], ctrl_fd: int, out_fd: int, mode: str, base: str) -> None:
    """In the forked child: build the jail of ``mode`` around this process.

    Args:
        req: the spawn request (``files``, ``limits``, ``uid``).
        ctrl_fd: the worker's end of its socket (kept open).
        out_fd: where its stdout and stderr go.
        mode: the zygote's sandbox mode.
        base: the empty folder that becomes the new root (namespace modes) or
            the private home (other modes).

    Raises:
        SandboxSetupError: a layer the mode promises could not be applied.
    """
    os.setsid()
    libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
    limits = req["limits"]
    uid = worker_uid(mode, req.get("uid"))
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
    libc.prctl(libc.PR_SET_NO_NEW_PRIVS, 1)
    scrub_environment(None if mode in NAMESPACE_MODES else base)
    if mode == "landlock":
        confine(base)
    if mode != "basic":
        # no PID namespace and no Landlock signal scoping (ABI < 6): the grader (same
        # uid) or the next worker (same job uid) could be signalled: seccomp scopes signals
        scope = mode == "landlock" and landlock.abi_version() < 6
        seccomp.worker_filter(signals_to=os.getpid() if scope else None)
    resource.setrlimit(resource.RLIMIT_AS, (int(limits["memory_mb"]) << 20,) * 2)
