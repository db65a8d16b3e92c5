"""The sandbox fork server (runs OUTSIDE the trusted grader).

Started as ``python -I zygote.py CTRL_FD [MODE]``. It enters the strongest
sandbox mode allowed (``selection.py``; a named mode is entered or refused,
never weakened), imports numpy once, greets the grader with the mode and its
layers, then serves requests: it forks one worker per submission, whose jail
``jail.py`` builds before ``worker.py`` loads the student's code and serves
calls. It never imports dlgrade, the solutions or the checks: its sibling
files (``libc``, ``jail``, ``selection``, ``worker``, ``codec``, ``helpers``,
``landlock``, ``seccomp``) are loaded by path.

Requests are ``{"op": ...}`` frames, each preceded by a one-byte message
carrying file descriptors; :data:`OPERATIONS` maps each op to its handler.
The forked workers and their bookkeeping live in one ``Children`` (``children.py``).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import signal
import socket
import sys
import tempfile
import traceback
import types
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Optional

if TYPE_CHECKING:  # for mypy only: at run time the class comes from children.py, by path
    from autograder.sandbox.children import Children

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_worker() -> types.ModuleType:
    """worker.py, by path; its loader brings in every other sibling file."""
    spec = importlib.util.spec_from_file_location("_dlgrade_worker",
                                                  os.path.join(HERE, "worker.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_dlgrade_worker"] = module
    spec.loader.exec_module(module)
    return module


worker: Any = _load_worker()  # loading student code, serving calls
codec, helpers = worker.codec, worker.helpers
libc = worker.sibling("_dlgrade_libc", "libc.py")
jail = worker.sibling("_dlgrade_jail", "jail.py")
selection = worker.sibling("_dlgrade_selection", "selection.py")
landlock, seccomp = jail.landlock, jail.seccomp
forks = worker.sibling("_dlgrade_children", "children.py")
select_mode = selection.select_mode  # probe.py asks the zygote's own question

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


def run_worker(req: dict[str, Any], ctrl_fd: int, out_fd: int, mode: str, base: str) -> None:
    """In the forked child: build the jail, load the student's code, serve calls."""
    jail.harden(req, ctrl_fd, out_fd, mode, base)
    sock = socket.socket(fileno=ctrl_fd)
    namespace, ready = worker.load_student(req)
    sys.stdout.flush()
    codec.send_frame(sock, codec.encode(ready))
    worker.serve(sock, namespace)


def worker_main(req: dict[str, Any], ctrl_fd: int, out_fd: int, mode: str,
                base: str) -> NoReturn:
    """A forked worker's whole life; a failure before serving is a setup failure."""
    try:
        run_worker(req, ctrl_fd, out_fd, mode, base)
    except BaseException:  # noqa: BLE001
        try:
            os.write(2, traceback.format_exc().encode()[-2000:])
        finally:
            os._exit(forks.SETUP_FAILED)
    os._exit(0)


Reply = Optional[dict[str, Any]]  # None: the operation wants no reply
Handler = Callable[["Children", dict[str, Any], list[int]], Reply]


def op_spawn(children: Children, req: dict[str, Any], fds: list[int]) -> Reply:
    """Fork a worker holding the sent sockets (its control socket, its output file)."""
    if len(fds) != 2:
        for fd in fds:
            os.close(fd)
        return {"error": f"spawn needs 2 file descriptors, got {len(fds)}"}
    ctrl_fd, out_fd = fds
    pid = children.spawn(req, ctrl_fd, out_fd)
    os.close(ctrl_fd)
    os.close(out_fd)
    return {"pid": pid}


def op_kill(children: Children, req: dict[str, Any], fds: list[int]) -> Reply:
    """Kill a worker's tree after ``grace`` seconds; how it ended."""
    reply = children.wait_briefly(req["pid"], float(req.get("grace", 0)))
    if reply is None:
        children.kill_tree(req["pid"])
        reply = children.reap(req["pid"])
    children.kill_orphans()
    children.reap_zombies()
    return reply


def op_discard(children: Children, req: dict[str, Any], fds: list[int]) -> Reply:
    """As ``kill``, with no reply."""
    op_kill(children, req, fds)
    return None


def op_reap(children: Children, req: dict[str, Any], fds: list[int]) -> Reply:
    """Wait for a worker to end; how it ended."""
    reply = children.reap(req["pid"])
    children.kill_orphans()
    return reply


OPERATIONS: dict[str, Handler] = {"spawn": op_spawn, "kill": op_kill,
                                  "discard": op_discard, "reap": op_reap}


def dispatch(children: Children, req: dict[str, Any], fds: list[int]) -> Reply:
    """Run one request's operation; an unknown one is refused with a clear reply."""
    op = req.get("op")
    handler = OPERATIONS.get(op) if isinstance(op, str) else None
    if op != "spawn":
        for fd in fds:
            os.close(fd)
        fds = []
    if handler is None:
        return {"error": f"unknown op {op!r} (known: {', '.join(sorted(OPERATIONS))})"}
    return handler(children, req, fds)


def serve(ctrl: socket.socket, children: Children) -> None:
    """Answer requests until the grader hangs up."""
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(ctrl, 1, 2)
            if not msg:
                return
            req = codec.decode(codec.recv_frame(ctrl))
        except (EOFError, ConnectionError, OSError):
            return
        reply = dispatch(children, req, list(fds))
        if reply is not None:
            codec.send_frame(ctrl, codec.encode(reply))


def main() -> None:
    """Enter the mode, warm up, greet, serve; end every worker on the way out."""
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    requested = sys.argv[2] if len(sys.argv) > 2 else "auto"
    libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
    libc.prctl(libc.PR_SET_CHILD_SUBREAPER, 1)
    if os.getppid() == 1:
        os._exit(0)
    mode, why_not = select_mode(requested)
    if not mode:
        codec.send_frame(ctrl, codec.encode({"op": "hello", "error": (
            f"sandbox mode '{requested}' is not available here: {why_not}")}))
        return
    jail.prepare_layers(mode)
    warm_up()
    gc.collect()
    gc.freeze()  # objects from before the fork are never scanned: fewer copied pages
    base = tempfile.mkdtemp(prefix="dlgrade-root-")
    protections, missing = selection.describe_mode(mode)
    codec.send_frame(ctrl, codec.encode({"op": "hello", "mode": mode,
                                         "protections": protections, "missing": missing,
                                         "landlock_abi": landlock.abi_version(),
                                         "python_roots": jail.python_roots()}))
    forked = forks.Children(mode, base, worker_main, ctrl_fd=ctrl.fileno())
    try:
        serve(ctrl, forked)
    finally:
        forked.end_all()
        try:
            os.rmdir(base)
        except OSError:
            pass


if __name__ == "__main__":
    main()
