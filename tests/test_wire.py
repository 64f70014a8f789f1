"""The wire format: exact round trips of plain values, and refusal of anything malformed."""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlgrade.checks.values import Unsupported
from dlgrade.grader import wire
from dlgrade.grader.wire import EncodeError, ProtocolError, decode_bytes, encode_frame


def roundtrip(value):
    msg = decode_bytes(encode_frame("item", "abc", value))
    assert (msg.type, msg.id) == ("item", "abc")
    return msg.body


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, np.generic):
        return type(a) is type(b) and (a == b or (a != a and b != b))
    if isinstance(a, float):
        return type(b) is float and (a == b or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, complex):
        return type(b) is complex and same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("value", [
    None, True, False, 0, -(2**63), 2**63 - 1, 0.1, -0.0, 1e308, 5e-324,
    float("nan"), float("inf"), -float("inf"), complex(1, -2), complex(float("nan"), 0),
    "", "héllo ✓", [], (), {}, [1, (2.0, [None])], {"W1": np.eye(2), "b": (1, "x")},
    np.float64(0.1), np.int32(-3), np.bool_(True), np.complex64(1 + 2j),
    Unsupported("generator", "not an array"),
])
def test_roundtrip_plain_values(value):
    assert same(value, roundtrip(value))


@pytest.mark.parametrize("dtype", list(wire.DTYPES))
def test_roundtrip_every_whitelisted_dtype(dtype):
    arr = (np.arange(12) % 3).astype(dtype).reshape(3, 4)
    for a in (arr, arr[:, ::2], arr.T, np.zeros((0, 5), dtype), np.array(arr[1, 1])):
        back = roundtrip(a)
        assert same(np.ascontiguousarray(a) if a.ndim else a, back)
        assert back.flags.writeable and back.flags.c_contiguous


def test_big_endian_and_subclass_arrive_as_native_base_class():
    class Sub(np.ndarray):
        pass

    back = roundtrip([np.arange(3, dtype=">f8"), np.arange(3.0).view(Sub)])
    assert all(type(a) is np.ndarray and a.dtype == np.float64 for a in back)
    assert back[0].tolist() == [0.0, 1.0, 2.0]


def test_arrays_do_not_alias():
    a = np.arange(4.0)
    back = roundtrip([a, a])
    back[0][0] = 99
    assert back[1][0] == 0


def test_floats_are_exact():
    values = [0.1 + 0.2, 1 / 3, np.nextafter(1.0, 2.0), 2.0**-1074]
    assert roundtrip(values) == values


@pytest.mark.parametrize("value", [
    object(), {1: 2}, 2**64, np.array(["a"]), np.array([object()]),
    np.array(["2020-01-01"], dtype="datetime64[D]"), b"bytes", {1.5},
])
def test_non_plain_values_are_refused(value):
    with pytest.raises(EncodeError):
        encode_frame("item", "x", value)


def test_encode_refuses_frames_above_the_cap():
    with pytest.raises(EncodeError, match="MB"):
        encode_frame("item", "x", np.zeros(2**18), max_message=2**20)
    with pytest.raises(EncodeError, match="JSON"):
        encode_frame("item", "x", ["x" * 1000] * 5000)


# ------------------------------------------------------------------ malformed frames


def frame(header, payload: bytes = b"", raw: bytes | None = None) -> bytes:
    head = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<I", len(head)) + head + payload


def header(body, bufs=()):
    return {"v": 1, "type": "item", "id": "x", "body": body, "bufs": list(bufs)}


MALFORMED = {
    "empty": b"",
    "short length": b"\x01\x00",
    "zero header": struct.pack("<I", 0),
    "header beyond cap": struct.pack("<I", 2**31) + b"{}",
    "truncated header": struct.pack("<I", 100) + b"{}",
    "not json": frame(None, raw=b"{not json"),
    "not utf8": frame(None, raw=b"\xff\xfe"),
    "nan literal": frame(None, raw=b'{"v":1,"type":"i","id":"x","body":NaN,"bufs":[]}'),
    "huge int": frame(None, raw=b'{"v":1,"type":"i","id":"x","body":' + b"9" * 5000 + b',"bufs":[]}'),
    "int out of range": frame(header(2**63)),
    "deep json": frame(None, raw=b"[" * 100_000 + b"]" * 100_000),
    "list header": frame([1, 2]),
    "missing key": frame({"v": 1, "type": "item", "id": "x", "body": None}),
    "extra key": frame({**header(None), "pickle": "x"}),
    "bad version": frame({**header(None), "v": 2}),
    "id not str": frame({**header(None), "id": 5}),
    "unknown tag": frame(header({"p": "cos\nsystem"})),
    "two-key object": frame(header({"l": [], "t": []})),
    "bad float tag": frame(header({"f": "1e400"})),
    "bad complex": frame(header({"c": [1, 2]})),
    "object dtype": frame(header({"a": 0}, [["object", [1], 8]]), b"\0" * 16),
    "str dtype": frame(header({"a": 0}, [["<U1", [1], 4]]), b"\0" * 16),
    "nbytes mismatch": frame(header({"a": 0}, [["float64", [3], 16]]), b"\0" * 16),
    "negative dim": frame(header({"a": 0}, [["float64", [-1], 8]]), b"\0" * 16),
    "too many dims": frame(header({"a": 0}, [["float64", [1] * 40, 8]]), b"\0" * 16),
    "short payload": frame(header({"a": 0}, [["float64", [4], 32]]), b"\0" * 16),
    "dangling ref": frame(header({"a": 1}, [["float64", [1], 8]]), b"\0" * 16),
    "repeated ref": frame(header({"l": [{"a": 0}, {"a": 0}]}, [["float64", [1], 8]]), b"\0" * 16),
    "unreferenced buffer": frame(header(None, [["float64", [1], 8]]), b"\0" * 16),
    "scalar with shape": frame(header({"s": 0}, [["float64", [2], 16]]), b"\0" * 16),
    "trailing bytes": frame(header(None)) + b"extra",
    "too deep": frame(header(json.loads('{"l":[' * 40 + "]}" * 40))),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_frames_raise_protocol_error(data):
    with pytest.raises(ProtocolError):
        decode_bytes(data)


def test_oversized_payload_is_refused_before_it_is_read():
    asked = []
    data = frame(header({"a": 0}, [["float64", [2**37], 2**40]]))
    view = memoryview(data)

    def read_exact(n):
        asked.append(n)
        nonlocal view
        chunk, view = view[:n], view[n:]
        return chunk

    with pytest.raises(ProtocolError, match="limit"):
        wire.read_frame(read_exact, max_message=2**20)
    assert max(asked) < 2**20


@settings(max_examples=300, derandomize=True, database=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_protocol_error(data):
    try:
        decode_bytes(data)
    except ProtocolError:
        pass


@settings(max_examples=200, derandomize=True, database=None)
@given(st.data())
def test_random_corruption_of_a_valid_frame(data):
    good = bytearray(encode_frame("item", "id", {"x": [np.arange(5.0), 1, "s", (None, 2.5)]}))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(good) - 1))
        good[i] = data.draw(st.integers(0, 255))
    try:
        decode_bytes(bytes(good))
    except ProtocolError:
        pass


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=20)
    | hnp.arrays(st.sampled_from([np.float64, np.int32, np.bool_, np.complex128]),
                 hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, derandomize=True, database=None)
@given(plain)
def test_roundtrip_property(value):
    assert same(value, roundtrip(value))
