"""The wire format between the trusted grader and a sandboxed worker.

Only plain data crosses: JSON for the structure and ``.npy`` bytes (read with
``allow_pickle=False``) for arrays. Callables cross as names. This module is
self-contained (stdlib + numpy) because the sandbox zygote loads it by path
without importing anything else of dlgrade.

A frame is ``<u32 header length><header JSON><u32 n blobs>(<u64 len><bytes>)*``.
Values in the header are tagged so that tuples, arrays and function references
survive the trip: ``{"nd": i}`` is blob ``i``, ``{"tuple": [...]}``,
``{"fn": "student:mse_loss"}``, ``{"dict": [[k, v], ...]}``, ``{"f": "nan"}``.
"""

from __future__ import annotations

import io
import json
import math
import re
import socket
import struct
from typing import Any, Callable

import numpy as np

MAX_DEPTH = 16
MAX_ITEMS = 100_000
ALLOWED_KINDS = "biuf"  # bool, signed int, unsigned int, float
DEFAULT_MAX_FRAME = 64 * 1024 * 1024


class WireError(Exception):
    """The peer sent something that is not valid plain data."""


class FunctionRef:
    """A callable that crosses the boundary by name (``"student:relu"``)."""

    __slots__ = ("ref",)

    def __init__(self, ref: str) -> None:
        self.ref = ref

    def __repr__(self) -> str:
        return f"FunctionRef({self.ref!r})"


# ---------------------------------------------------------------- encoding


def _encode(value: Any, blobs: list[bytes], fn_name: Callable[[Any], str | None],
            depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value if type(value) in (bool, str, type(None)) else _plain_scalar(value)
    if isinstance(value, np.ndarray):
        arr = np.asarray(value)  # drop subclasses
        if type(arr) is not np.ndarray:
            arr = np.array(arr, copy=True).view(np.ndarray)
        if arr.dtype.kind not in ALLOWED_KINDS or arr.dtype.fields is not None:
            raise WireError(f"arrays of dtype {arr.dtype} cannot be sent")
        blobs.append(npy_bytes(arr))
        return {"nd": len(blobs) - 1}
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isfinite(f):
            return f
        return {"f": "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf")}
    if isinstance(value, FunctionRef):
        return {"fn": value.ref}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, blobs, fn_name, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_encode(v, blobs, fn_name, depth + 1) for v in value]
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise WireError("only dicts with string keys can be sent")
            items.append([str(k), _encode(v, blobs, fn_name, depth + 1)])
        return {"dict": items}
    if callable(value):
        name = fn_name(value)
        if name is None:
            raise WireError(f"the function {value!r} cannot cross the sandbox boundary")
        return {"fn": name}
    raise WireError(f"a value of type {type(value).__name__} cannot be sent")


def npy_bytes(arr: np.ndarray) -> bytes:
    """The array as a version 1.0 ``.npy`` file (what ``np.save`` writes), fast."""
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr) if arr.ndim else arr.copy()
    shape = repr(tuple(int(n) for n in arr.shape))
    header = f"{{'descr': '{arr.dtype.str}', 'fortran_order': False, 'shape': {shape}, }}"
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1")
            + arr.tobytes())


NPY_HEADER = re.compile(
    r"\{'descr': '([<>|][biuf][1-8])', 'fortran_order': False, "
    r"'shape': \((\d+(?:, \d+)*,?|)\), \} *\n")


_HEADERS: dict[bytes, tuple[np.dtype, tuple[int, ...], int] | None] = {}


def _parse_header(header: bytes) -> tuple[np.dtype, tuple[int, ...], int] | None:
    """(dtype, shape, element count) of a plain .npy header, or None; memoised
    (the same few headers come back all the time)."""
    if header in _HEADERS:
        return _HEADERS[header]
    match = NPY_HEADER.fullmatch(header.decode("latin1"))
    parsed = None
    if match:
        shape = tuple(int(n) for n in match.group(2).replace(",", " ").split())
        count = 1
        for n in shape:
            count *= n
        parsed = (np.dtype(match.group(1)), shape, count)
    if len(_HEADERS) < 4096:
        _HEADERS[header] = parsed
    return parsed


def npy_array(blob: bytes) -> np.ndarray:
    """Read ``.npy`` bytes without pickle: a strict fast path for the headers
    :func:`npy_bytes` and ``np.save`` write, ``np.load(allow_pickle=False)``
    for anything else."""
    if blob[:8] == b"\x93NUMPY\x01\x00" and len(blob) >= 10:
        (hlen,) = struct.unpack_from("<H", blob, 8)
        parsed = _parse_header(blob[10:10 + hlen])
        if parsed is not None:
            dtype, shape, count = parsed
            if count * dtype.itemsize != len(blob) - 10 - hlen:
                raise WireError("array data does not match its header")
            fast: np.ndarray = np.frombuffer(blob, dtype=dtype, count=count,
                                             offset=10 + hlen).reshape(shape).copy()
            return fast
    loaded: np.ndarray = np.load(io.BytesIO(blob), allow_pickle=False)
    return loaded


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return bool(value)
    return str(value)


def encode(message: dict[str, Any],
           fn_name: Callable[[Any], str | None] = lambda f: None) -> bytes:
    """Serialise ``message`` (a dict of plain data) into one frame."""
    blobs: list[bytes] = []
    header = json.dumps(_encode(message, blobs, fn_name, 0), allow_nan=False).encode()
    parts = [struct.pack("<I", len(header)), header, struct.pack("<I", len(blobs))]
    for blob in blobs:
        parts.append(struct.pack("<Q", len(blob)))
        parts.append(blob)
    return b"".join(parts)


# ---------------------------------------------------------------- decoding


class _Decoder:
    def __init__(self, blobs: list[bytes], resolve_fn: Callable[[str], Any] | None) -> None:
        self.blobs = blobs
        self.resolve_fn = resolve_fn
        self.items = 0

    def __call__(self, node: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise WireError("reply is too deeply nested or too large")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self(v, depth + 1) for v in node]
        if type(node) is not dict or len(node) != 1:
            raise WireError("malformed value")
        (tag, payload), = node.items()
        if tag == "nd":
            return self.array(payload)
        if tag == "tuple" and type(payload) is list:
            return tuple(self(v, depth + 1) for v in payload)
        if tag == "dict" and type(payload) is list:
            out = {}
            for pair in payload:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("malformed dict")
                out[pair[0]] = self(pair[1], depth + 1)
            return out
        if tag == "f" and payload in ("nan", "inf", "-inf"):
            return float(payload)
        if tag == "fn" and type(payload) is str:
            if self.resolve_fn is None:
                raise WireError("functions cannot be returned")
            return self.resolve_fn(payload)
        raise WireError(f"unknown tag {tag!r}")

    def array(self, index: Any) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise WireError("bad array reference")
        try:
            arr = npy_array(self.blobs[index])
        except WireError:
            raise
        except Exception as exc:  # malformed .npy bytes
            raise WireError(f"unreadable array: {exc}") from None
        if type(arr) is not np.ndarray or arr.dtype.kind not in ALLOWED_KINDS \
                or arr.dtype.fields is not None:
            raise WireError(f"arrays of dtype {arr.dtype} are not accepted")
        return arr


def decode(frame: bytes, resolve_fn: Callable[[str], Any] | None = None) -> Any:
    """Parse one frame strictly. Raises :class:`WireError` on anything odd."""
    try:
        (hlen,) = struct.unpack_from("<I", frame, 0)
        header = frame[4:4 + hlen]
        pos = 4 + hlen
        (nblobs,) = struct.unpack_from("<I", frame, pos)
        pos += 4
        if nblobs > MAX_ITEMS:
            raise WireError("too many arrays")
        blobs = []
        for _ in range(nblobs):
            (blen,) = struct.unpack_from("<Q", frame, pos)
            pos += 8
            if pos + blen > len(frame):
                raise WireError("truncated frame")
            blobs.append(frame[pos:pos + blen])
            pos += blen
        if pos != len(frame):
            raise WireError("trailing bytes in frame")
        tree = json.loads(header.decode("utf-8"))
    except (struct.error, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"malformed frame: {exc}") from None
    return _Decoder(blobs, resolve_fn)(tree)


# ---------------------------------------------------------------- transport


def send_frame(sock: socket.socket, frame: bytes) -> None:
    """Write one length-prefixed frame to a stream socket."""
    sock.sendall(struct.pack("<Q", len(frame)) + frame)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Read exactly n bytes; raises EOFError when the peer is gone."""
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError("peer closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket, max_size: int = DEFAULT_MAX_FRAME) -> bytes:
    """Read one frame written by :func:`send_frame` (blocking)."""
    (size,) = struct.unpack("<Q", recv_exact(sock, 8))
    if size > max_size:
        raise WireError(f"reply of {size} bytes exceeds the {max_size} byte cap")
    return recv_exact(sock, size)
