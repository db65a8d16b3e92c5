"""Inside a sandboxed worker: load the student's code and serve calls.

Portable on purpose (stdlib + numpy, no Linux-only call): the Linux fork
server (``zygote.py``) uses it after hardening a forked child, and any other
launcher can use it in a plain subprocess. Like the zygote it never imports
dlgrade: ``codec.py`` and ``helpers.py`` are loaded by path, beside this file.
"""

from __future__ import annotations

import importlib.util
import os
import random
import socket
import sys
import traceback
import types
from typing import Any, Iterator

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def sibling(name: str, filename: str) -> types.ModuleType:
    """Load a file beside this one (once per process, shared by name)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


codec = sibling("_dlgrade_codec", "codec.py")
helpers = sibling("_dlgrade_helpers", "helpers.py")


def strip_magics(source: str) -> str:
    """Comment out IPython magics and shell escapes so a cell compiles."""
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(line[: len(line) - len(stripped)] + "pass  # skipped: " + stripped[:60])
        else:
            out.append(line)
    return "\n".join(out)


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """A short, plain description of an exception raised by student code."""
    where = ""
    home = os.getcwd()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(home) or frame.filename.startswith("<cell"):
            where = f"{os.path.basename(frame.filename)}, line {frame.lineno}"
            if frame.line:
                where += f": {frame.line.strip()[:120]}"
            break
    if isinstance(exc, SystemExit):
        return {"type": "SystemExit", "message": f"called sys.exit({exc.code!r})", "where": where}
    message = str(exc)
    if len(message) > 500:
        message = message[:500] + " ..."
    return {"type": type(exc).__name__, "message": message, "where": where}


def raising_function(exc: BaseException) -> str:
    """The student's function that raised ``exc`` (it may be one the called function
    calls, e.g. a stub): the innermost frame in the student's code, or ""."""
    home = os.getcwd()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(home) or frame.filename.startswith("<cell"):
            return frame.name
    return ""


def load_student(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the student's code. Returns (namespace, ready message)."""
    # the global generators start from the same state for every student, so a function
    # that draws from them unseeded (np.random.permutation to shuffle, say) gets the
    # same feedback on every regrade
    np.random.seed(0)
    random.seed(0)
    module_name = spec["module"]
    namespace: dict[str, Any] = {"__name__": module_name, "__builtins__": __builtins__}
    module = types.ModuleType(module_name)
    module.__dict__.update(namespace)
    namespace = module.__dict__
    sys.modules[module_name] = module
    sys.path.insert(0, os.getcwd())
    ready: dict[str, Any] = {"op": "ready", "import_error": None, "cells": []}
    if spec["kind"] == "py":
        filename = os.path.join(os.getcwd(), spec["entry"])
        module.__file__ = filename
        try:
            with open(filename, encoding="utf-8") as fh:
                code = compile(fh.read(), filename, "exec")
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            ready["import_error"] = describe_exception(exc)
    else:
        for index, source in enumerate(spec["cells"]):
            try:
                code = compile(strip_magics(source), f"<cell {index + 1}>", "exec")
                exec(code, namespace)
            except BaseException as exc:  # noqa: BLE001
                ready["cells"].append({"cell": index + 1, **describe_exception(exc)})
    ready["defined"] = sorted(
        name for name, obj in namespace.items()
        if callable(obj) and not name.startswith("__")
    )
    return namespace, ready


def serve(sock: socket.socket, namespace: dict[str, Any]) -> None:
    """Answer calls from the grader until it hangs up (then end the process)."""
    def resolve(ref: str) -> Any:
        origin, _, name = ref.partition(":")
        if origin == "helper" and name in helpers.HELPERS:
            return helpers.HELPERS[name]
        if origin == "student":
            fn = namespace.get(name)
            if callable(fn):
                return fn
            raise NameError(f"{name} is not defined in your file")
        raise NameError(f"unknown function reference {ref!r}")

    while True:
        try:
            request = codec.decode(codec.recv_frame(sock), resolve)
        except EOFError:
            os._exit(0)
        except NameError as exc:
            codec.send_frame(sock, codec.encode({"ok": False, "kind": "missing",
                                                 "message": str(exc)}))
            continue
        name = request["fn"]
        fn = namespace.get(name)
        if not callable(fn):
            reply = {"ok": False, "kind": "missing", "message": f"{name} is not defined"}
            codec.send_frame(sock, codec.encode(reply))
            continue
        args, kwargs = request["args"], request["kwargs"]
        before = _snapshot(args, kwargs)
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            reply = {"ok": False, "kind": "exception", **describe_exception(exc),
                     "function": raising_function(exc)}
        else:
            reply = {"ok": True, "value": value, "mutated": _mutations(before, args, kwargs)}
        try:
            frame = codec.encode(reply)
        except Exception as exc:  # noqa: BLE001 - the student's value is not plain data
            frame = codec.encode({"ok": False, "kind": "bad_return", "message": str(exc)})
        sys.stdout.flush()
        sys.stderr.flush()
        codec.send_frame(sock, frame)


def _arrays_in(args: list[Any], kwargs: dict[str, Any]) -> Iterator[tuple[list[Any], Any]]:
    """Yield (path, array) for arrays passed directly or inside a dict/list."""
    for i, value in enumerate(args):
        yield from _walk(["a", i], value)
    for key, value in kwargs.items():
        yield from _walk(["k", key], value)


def _walk(path: list[Any], value: Any) -> Iterator[tuple[list[Any], Any]]:
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk(path + [key], inner)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _walk(path + [i], inner)


def _snapshot(args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
    return [(path, arr, arr.tobytes()) for path, arr in _arrays_in(args, kwargs)]


def _mutations(before: list[Any], args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
    """[path, new value] of every array argument changed in place, or replaced
    inside a dict or list the caller passed (params["W"] = ...)."""
    changed = []
    for path, arr, data in before:
        container: object = args if path[0] == "a" else kwargs
        try:
            for key in path[1:]:
                container = container[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            continue  # removed: nothing to report
        if container is not arr and isinstance(container, np.ndarray):
            changed.append([path, container])
        elif arr.tobytes() != data:
            changed.append([path, arr])
    return changed
