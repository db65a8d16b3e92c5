"""A small seccomp filter, hand-assembled as classic BPF (Linux only, no privileges).

Stdlib only and loaded by path in the zygote, so it never imports dlgrade.
Why not pyseccomp/libseccomp: the filter is one fixed list of system calls
and four argument checks; building its ~110 BPF instructions here costs no
dependency in the light student install (libseccomp.so is absent from slim
and Alpine images) and installs in microseconds. The numbers are the
kernel's stable syscall ABI for x86_64 and aarch64; on any other
architecture :func:`supported` is False and the layer is reported missing.

What :func:`worker_filter` denies (EPERM) to a grading worker, which never
needs any of it: network sockets (``socket``/``socketpair`` only for
``AF_UNIX`` stream or seqpacket; no ``connect``/``bind``/``listen``/
``accept``; no ``sendto`` to an address), ``ptrace``, ``process_vm_*``,
``pidfd_getfd``, ``kcmp``, the keyring, ``bpf``, ``perf_event_open``,
``userfaultfd``, ``io_uring`` (it would bypass these checks), namespaces
(``unshare``, ``setns``, ``clone`` with namespace flags; ``clone3`` says
ENOSYS so libc falls back to ``clone``), the mount family, ``chroot``, SysV
IPC and POSIX message queues, kernel modules, ``kexec``, clock and host
settings, ``reboot``, ``swapon``, ``acct``, ``quotactl``, handle-based opens,
``personality``, ``syslog``. Calls of another ABI (i386 or x32 on x86_64) are
denied too.
"""

from __future__ import annotations

import ctypes
import errno
import os
from typing import Any, Iterable

PR_SET_NO_NEW_PRIVS = 38
PR_GET_SECCOMP = 21
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000

# classic BPF opcodes
LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
JEQ = 0x15
JGE = 0x35
JSET = 0x45
AND = 0x54
RET = 0x06

AF_UNIX = 1
SOCK_STREAM = 1
SOCK_SEQPACKET = 5
CLONE_NEW_ANY = 0x7E020000  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET

COMMON = {  # numbers shared by every architecture (asm-generic, >= 424)
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "pidfd_send_signal": 424, "clone3": 435, "pidfd_getfd": 438,
    "mount_setattr": 442,
    "quotactl_fd": 443, "landlock_create_ruleset": 444, "landlock_add_rule": 445,
    "landlock_restrict_self": 446, "statmount": 457, "listmount": 458, "open_tree_attr": 467,
}
ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "socket": 41, "connect": 42, "accept": 43, "sendto": 44, "bind": 49, "listen": 50,
        "socketpair": 53, "clone": 56, "accept4": 288,
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
        "add_key": 248, "request_key": 249, "keyctl": 250, "bpf": 321,
        "perf_event_open": 298, "userfaultfd": 323, "unshare": 272, "setns": 308,
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65,
        "semctl": 66, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
        "semtimedop": 220, "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242,
        "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
        "init_module": 175, "delete_module": 176, "finit_module": 313, "kexec_load": 246,
        "kexec_file_load": 320, "settimeofday": 164, "clock_settime": 227,
        "clock_adjtime": 305, "adjtimex": 159, "sethostname": 170, "setdomainname": 171,
        "reboot": 169, "swapon": 167, "swapoff": 168, "acct": 163, "quotactl": 179,
        "name_to_handle_at": 303, "open_by_handle_at": 304, "personality": 135,
        "syslog": 103, "vhangup": 153, "iopl": 172, "ioperm": 173, "uselib": 134,
        "lookup_dcookie": 212, "fanotify_init": 300, "kill": 62, "tkill": 200,
        "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    }),
    "aarch64": (0xC00000B7, {
        "socket": 198, "connect": 203, "accept": 202, "sendto": 206, "bind": 200,
        "listen": 201, "socketpair": 199, "clone": 220, "accept4": 242,
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
        "add_key": 217, "request_key": 218, "keyctl": 219, "bpf": 280,
        "perf_event_open": 241, "userfaultfd": 282, "unshare": 97, "setns": 268,
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
        "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197, "semget": 190,
        "semctl": 191, "semtimedop": 192, "semop": 193, "msgget": 186, "msgctl": 187,
        "msgrcv": 188, "msgsnd": 189, "mq_open": 180, "mq_unlink": 181,
        "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
        "mq_getsetattr": 185, "init_module": 105, "delete_module": 106,
        "finit_module": 273, "kexec_load": 104, "kexec_file_load": 294,
        "settimeofday": 170, "clock_settime": 112, "clock_adjtime": 266, "adjtimex": 171,
        "sethostname": 161, "setdomainname": 162, "reboot": 142, "swapon": 224,
        "swapoff": 225, "acct": 89, "quotactl": 60, "name_to_handle_at": 264,
        "open_by_handle_at": 265, "personality": 92, "syslog": 116, "vhangup": 58,
        "lookup_dcookie": 18, "fanotify_init": 262, "kill": 129, "tkill": 130,
        "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
    }),
}
ARGUMENT_CHECKED = {"socket", "socketpair", "clone", "clone3", "sendto"}
SIGNAL_CALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
NAMESPACE_CALLS = ("unshare", "setns", "mount", "umount2", "pivot_root", "open_tree",
                   "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
                   "open_tree_attr")

_libc = ctypes.CDLL(None, use_errno=True)


class SeccompError(OSError):
    """The filter could not be installed."""


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Insn))]


def arch() -> str:
    return os.uname().machine


def supported() -> bool:
    """Can this kernel and architecture take our filter?"""
    if arch() not in ARCHES:
        return False
    return bool(_libc.prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0)


def syscalls() -> dict[str, int]:
    """Name -> number on this architecture."""
    return {**ARCHES[arch()][1], **COMMON}


def _arg(index: int, high: bool = False) -> int:
    """Offset in ``struct seccomp_data`` of an argument's low (or high) 32 bits."""
    return 16 + 8 * index + (4 if high else 0)


def assemble(denied: Iterable[str], *, unix_only: bool, no_new_namespaces: bool,
             no_addressed_send: bool,
             signals_to: int | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions.

    Args:
        denied: system call names that fail with EPERM (unknown names are skipped:
            an older architecture table may lack a new call).
        unix_only: socket/socketpair only for AF_UNIX stream or seqpacket sockets.
        no_new_namespaces: clone with namespace flags fails; clone3 says ENOSYS.
        no_addressed_send: sendto with a destination address fails.
        signals_to: if given, signals may go only to this pid and its process
            group (``kill(0)``, ``kill(pid)``, ``kill(-pid)``, its own threads);
            ``pidfd_send_signal`` fails. For kernels whose Landlock cannot
            scope signals (ABI < 6).
    """
    audit_arch, _ = ARCHES[arch()]
    numbers = syscalls()
    prog: list[list[Any]] = []  # [code, jt, jf, k]; jumps hold label names until resolved
    labels: dict[str, int] = {}

    def op(code: int, k: int = 0, jt: object = 0, jf: object = 0) -> None:
        prog.append([code, jt, jf, k])

    def label(name: str) -> None:
        labels[name] = len(prog)

    op(LD_ABS, 4)  # arch
    op(JEQ, audit_arch, 0, "deny")
    op(LD_ABS, 0)  # syscall number
    if arch() == "x86_64":
        op(JGE, 0x40000000, "deny", 0)  # x32 calls
    for name in sorted(set(denied) - ARGUMENT_CHECKED):
        if name in numbers:
            op(JEQ, numbers[name], "deny", 0)
    if unix_only:
        op(JEQ, numbers["socket"], "socket", 0)
        op(JEQ, numbers["socketpair"], "socket", 0)
    if no_new_namespaces:
        op(JEQ, numbers["clone"], "clone", 0)
        op(JEQ, numbers["clone3"], "enosys", 0)
    if no_addressed_send:
        op(JEQ, numbers["sendto"], "sendto", 0)
    if signals_to is not None:
        op(JEQ, numbers["pidfd_send_signal"], "deny", 0)
        op(JEQ, numbers["kill"], "kill", 0)
        for name in SIGNAL_CALLS[1:]:
            op(JEQ, numbers[name], "own_pid", 0)
    label("allow")
    op(RET, RET_ALLOW)
    if unix_only:
        label("socket")
        op(LD_ABS, _arg(0))
        op(JEQ, AF_UNIX, 0, "deny")
        op(LD_ABS, _arg(1))
        op(AND, 0xF)
        op(JEQ, SOCK_STREAM, "ok", 0)
        op(JEQ, SOCK_SEQPACKET, "ok", "deny")
    if no_new_namespaces:
        label("clone")
        op(LD_ABS, _arg(0))
        op(JSET, CLONE_NEW_ANY, "deny", "ok")
        label("enosys")
        op(RET, RET_ERRNO | errno.ENOSYS)
    if no_addressed_send:
        label("sendto")
        op(LD_ABS, _arg(4))
        op(JEQ, 0, 0, "deny")
        op(LD_ABS, _arg(4, high=True))
        op(JEQ, 0, "ok", "deny")
    if signals_to is not None:
        label("kill")
        op(LD_ABS, _arg(0))
        op(JEQ, 0, "ok", 0)
        op(JEQ, (-signals_to) & 0xFFFFFFFF, "ok", 0)
        label("own_pid")
        op(LD_ABS, _arg(0))
        op(JEQ, signals_to, "ok", "deny")
    label("ok")  # BPF jumps only forward: a second "allow" after the argument checks
    op(RET, RET_ALLOW)
    label("deny")
    op(RET, RET_ERRNO | errno.EPERM)
    out = []
    for index, (code, jt, jf, k) in enumerate(prog):
        offsets = []
        for target in (jt, jf):
            offset = labels[target] - index - 1 if isinstance(target, str) else int(target)
            if not 0 <= offset <= 255:
                raise SeccompError(0, f"seccomp filter jump out of range at {index}")
            offsets.append(offset)
        out.append((code, offsets[0], offsets[1], k))
    return out


WORKER_DENIED = (
    "connect", "bind", "listen", "accept", "accept4", "ptrace", "process_vm_readv",
    "process_vm_writev", "pidfd_getfd", "kcmp", "add_key", "request_key", "keyctl", "bpf",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "chroot", "shmget", "shmat", "shmctl", "shmdt", "semget", "semop",
    "semctl", "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink",
    "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr", "init_module",
    "delete_module", "finit_module", "kexec_load", "kexec_file_load", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "name_to_handle_at",
    "open_by_handle_at", "personality", "syslog", "vhangup", "iopl", "ioperm", "uselib",
    "lookup_dcookie", "fanotify_init", "statmount", "listmount", *NAMESPACE_CALLS,
)
WORKER_SUMMARY = ("seccomp: no network sockets (AF_UNIX stream only, no connect/bind), "
                  "no ptrace or process_vm, no keyring, no bpf, no io_uring, no namespaces "
                  "or mounts, no SysV IPC, no kernel modules, kexec, perf or userfaultfd")


class Compiled:
    """A filter ready to load: build it once, install it in every worker."""

    def __init__(self, program: list[tuple[int, int, int, int]]) -> None:
        self.insns = (_Insn * len(program))(*[_Insn(c, t, f, k) for c, t, f, k in program])
        self.prog = _Prog(len(program), self.insns)


def install(program: list[tuple[int, int, int, int]] | Compiled) -> None:
    """Set no_new_privs and load ``program`` for this thread and its children.

    Raises:
        SeccompError: the kernel refused.
    """
    fprog = (program if isinstance(program, Compiled) else Compiled(program)).prog
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise SeccompError(err, f"no_new_privs: {os.strerror(err)}")
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise SeccompError(err, f"seccomp: {os.strerror(err)}")


_WORKER: list[Compiled] = []


def worker_program() -> Compiled:
    """The grading worker's filter, built once per process (a fork server
    builds it before forking, so its children only load it)."""
    if not _WORKER:
        _WORKER.append(Compiled(assemble(WORKER_DENIED, unix_only=True,
                                         no_new_namespaces=True, no_addressed_send=True)))
    return _WORKER[0]


def worker_filter(*, signals_to: int | None = None) -> list[str]:
    """Install the grading worker's filter; return what it enforces, in words.

    Args:
        signals_to: restrict signals to this pid and its group (see :func:`assemble`).
    """
    if signals_to is None:
        install(worker_program())
        return [WORKER_SUMMARY]
    install(assemble(WORKER_DENIED, unix_only=True, no_new_namespaces=True,
                     no_addressed_send=True, signals_to=signals_to))
    return [WORKER_SUMMARY, SIGNAL_SUMMARY]


SIGNAL_SUMMARY = "seccomp: signals only to the worker itself and its process group"


LANDLOCK_CALLS = ("landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self")


def refuse_namespaces(*, landlock_too: bool = False) -> None:
    """Make this process (and what it execs) unable to use namespaces or mounts,
    as Docker's default profile does: simulates a container in tests. With
    ``landlock_too``, Landlock is refused as well (simulates an old kernel)."""
    denied = NAMESPACE_CALLS + (LANDLOCK_CALLS if landlock_too else ())
    install(assemble(denied, unix_only=False, no_new_namespaces=True,
                     no_addressed_send=False))


if __name__ == "__main__":  # python seccomp.py refuse-namespaces[+landlock] PROGRAM ARGS...
    import sys

    if len(sys.argv) > 2 and sys.argv[1] in ("refuse-namespaces", "refuse-namespaces+landlock"):
        refuse_namespaces(landlock_too=sys.argv[1].endswith("+landlock"))
        os.execv(sys.argv[2], sys.argv[2:])
    sys.exit("usage: seccomp.py refuse-namespaces[+landlock] PROGRAM [ARGS...]")
