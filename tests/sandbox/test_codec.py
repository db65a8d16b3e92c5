"""The wire format lets only plain data through, and rejects the rest."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from autograder.sandbox import codec


def roundtrip(value):
    return codec.decode(codec.encode({"v": value}))["v"]


def test_plain_values_survive_the_trip() -> None:
    value = {"a": [1, 2.5, None, True, "x"], "t": (1, 2), "nan": float("nan"),
             "inf": float("-inf")}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "x"]
    assert back["t"] == (1, 2)  # tuples stay tuples
    assert np.isnan(back["nan"]) and back["inf"] == float("-inf")


def test_arrays_keep_dtype_and_shape() -> None:
    for arr in (np.arange(6, dtype=np.float32).reshape(2, 3), np.array(3.5),
                np.array([True, False]), np.zeros((0, 4), dtype=np.int64)):
        back = roundtrip(arr)
        assert type(back) is np.ndarray
        assert back.dtype == arr.dtype and back.shape == arr.shape
        assert np.array_equal(back, arr)


def test_subclasses_arrive_as_plain_arrays() -> None:
    class Liar(np.ndarray):
        def __eq__(self, other):  # type: ignore[override]
            return True

    back = roundtrip(np.zeros(3).view(Liar))
    assert type(back) is np.ndarray  # the lying comparison is gone


def test_numpy_scalars_become_python_numbers() -> None:
    assert type(roundtrip(np.float64(1.5))) is float
    assert type(roundtrip(np.int32(7))) is int
    assert type(roundtrip(np.bool_(True))) is bool


def test_object_arrays_and_arbitrary_objects_are_refused() -> None:
    with pytest.raises(codec.WireError):
        codec.encode({"v": np.array([object()], dtype=object)})
    with pytest.raises(codec.WireError):
        codec.encode({"v": object()})


def frame(header: object, blobs: list[bytes]) -> bytes:
    data = json.dumps(header).encode()
    parts = [struct.pack("<I", len(data)), data, struct.pack("<I", len(blobs))]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


def test_a_pickled_array_from_a_hostile_worker_is_rejected() -> None:
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(codec.WireError):
        codec.decode(frame({"nd": 0}, [buf.getvalue()]))


@pytest.mark.parametrize("bad", [
    b"", b"\x00\x00", b"\xff\xff\xff\xff", frame({"nd": 3}, []), frame({"unknown": 1}, []),
    frame({"fn": "student:relu"}, []), frame({"nd": 0}, [b"not npy"]),
    frame({"dict": [[1, 2]]}, []),
])
def test_malformed_frames_raise_wire_error(bad: bytes) -> None:
    with pytest.raises(codec.WireError):
        codec.decode(bad)


def test_deep_nesting_is_refused() -> None:
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    with pytest.raises(codec.WireError):
        codec.decode(frame(deep, []))


@pytest.mark.parametrize("arr", [np.random.default_rng(0).random((6, 4)), np.array(2.5),
                                 np.arange(5, dtype=np.int32), np.zeros((0, 3)),
                                 np.arange(6.0).reshape(2, 3).T, np.array([[1]], dtype=">i4")])
def test_fast_npy_path_agrees_with_numpy(arr: np.ndarray) -> None:
    ours = codec.npy_bytes(arr)
    assert np.array_equal(np.load(io.BytesIO(ours), allow_pickle=False), arr)  # real .npy
    buf = io.BytesIO()
    np.save(buf, arr)
    back = codec.npy_array(buf.getvalue())
    assert back.dtype == arr.dtype and back.shape == arr.shape and np.array_equal(back, arr)
    assert back.flags.writeable


def test_array_data_that_does_not_match_its_header_is_rejected() -> None:
    short = codec.npy_bytes(np.zeros(10))[:-8]
    with pytest.raises(codec.WireError):
        codec.decode(frame({"nd": 0}, [short]))
