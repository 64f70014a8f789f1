"""The wire format between the grader and its sandboxed child.

A frame is::

    4 bytes   little-endian unsigned length H of the header
    H bytes   UTF-8 JSON header: {"v": 1, "type": str, "id": str,
                                  "body": <value>, "bufs": [[dtype, shape, nbytes], ...]}
    payload   the raw buffers, each starting at a multiple of 16 bytes from
              the start of the payload (zero padding between them)

``body`` is a plain value (see dlgrade.checks.values) written as JSON with
one-key tags for everything JSON cannot say exactly::

    null, true, false, "text", 12          themselves (ints within int64)
    1.5                                    a float (written with repr: exact)
    {"f": "nan" | "inf" | "-inf"}          the non-finite floats
    {"c": [re, im]}                        a complex number
    {"l": [...]}, {"t": [...]}             a list, a tuple
    {"d": {"key": value, ...}}             a dict with str keys
    {"a": i}, {"s": i}                     buffer i as an ndarray, as a numpy scalar
    {"u": [type_name, detail]}             checks.values.Unsupported

Buffers are little-endian, of a whitelisted dtype (bool, int8..int64,
uint8..uint64, float16/32/64, complex64/128), C order.

:class:`Channel` carries frames over a pair of pipe fds, with an optional
deadline (the parent's side: nothing it does can block past the deadline).

Guarantees of :func:`read_frame` (the parent's side of the trust boundary):
nothing is unpickled, unmarshalled or evaluated; every length, dtype, shape,
byte count, nesting depth, tag and buffer reference is checked; a frame
larger than ``max_message`` bytes is refused *before* its payload is read,
so a hostile child cannot make the parent allocate more than that; anything
malformed raises :class:`ProtocolError`. Each buffer becomes exactly one
array (no aliasing), writable, of the base ndarray class.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from dlgrade.checks.values import Unsupported

__all__ = [
    "ProtocolError",
    "EncodeError",
    "Channel",
    "Closed",
    "Timeout",
    "Message",
    "encode_frame",
    "read_frame",
    "DTYPES",
    "MAX_MESSAGE",
    "MAX_HEADER",
    "decode_bytes",
    "VERSION",
]

VERSION = 1
MAX_MESSAGE = 256 * 2**20
# JSON costs the parent far more memory per byte than a raw buffer (a Python
# object per number), so the header has its own, smaller cap.
MAX_HEADER = 4 * 2**20
MAX_DEPTH = 32
MAX_NDIM = 32
MAX_BUFFERS = 1_000_000
_ALIGN = 16
_LEN = struct.Struct("<I")

DTYPES: dict[str, np.dtype] = {
    name: np.dtype(name).newbyteorder("<")
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "complex64", "complex128",
    )
}
_NAME_OF = {np.dtype(name): name for name in DTYPES}
_INT64 = (-(2**63), 2**63)


class ProtocolError(Exception):
    """A frame is malformed, too large, or not what the protocol expects."""


class EncodeError(TypeError):
    """A value is not plain (see module docstring) and cannot be sent."""


@dataclass
class Message:
    type: str
    id: str
    body: Any


def _pad(n: int) -> int:
    return -n % _ALIGN


# --------------------------------------------------------------------- encoding


def _enc(value, bufs: list, depth: int):
    if depth > MAX_DEPTH:
        raise EncodeError("value nested too deeply")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if not _INT64[0] <= value < _INT64[1]:
            raise EncodeError(f"integer {value} does not fit in int64")
        return value
    if t is float:
        return value if math.isfinite(value) else {"f": repr(value)}
    if t is complex:
        return {"c": [_enc(value.real, bufs, depth + 1), _enc(value.imag, bufs, depth + 1)]}
    if t is list or t is tuple:
        return {"l" if t is list else "t": [_enc(v, bufs, depth + 1) for v in value]}
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise EncodeError(f"dict key {k!r} is not a str")
            out[k] = _enc(v, bufs, depth + 1)
        return {"d": out}
    if isinstance(value, (np.ndarray, np.generic)):
        dtype = np.dtype(value.dtype)
        name = _NAME_OF.get(dtype.newbyteorder("="))
        if name is None:
            raise EncodeError(f"dtype {dtype} cannot be sent")
        # The base class, contiguous and little-endian: what read_frame rebuilds.
        # (np.asarray, not np.ascontiguousarray, which turns a 0-d array into 1-d)
        arr = np.asarray(np.asarray(value).view(np.ndarray), dtype=DTYPES[name], order="C")
        bufs.append((name, arr))
        return {"a" if isinstance(value, np.ndarray) else "s": len(bufs) - 1}
    if isinstance(value, Unsupported):
        return {"u": [str(value.type_name), str(value.detail)]}
    raise EncodeError(f"{t.__name__} is not a plain value")


def encode_frame(msg_type: str, msg_id: str, body, max_message: int = MAX_MESSAGE) -> bytes:
    """One frame carrying ``body``.

    Raises EncodeError for a value that is not plain, or a frame that
    :func:`read_frame` would refuse as too large.
    """
    bufs: list = []
    encoded = _enc(body, bufs, 0)
    table = []
    chunks = []
    for name, arr in bufs:
        raw = arr.tobytes()
        table.append([name, list(arr.shape), len(raw)])
        chunks.append(raw)
        chunks.append(b"\0" * _pad(len(raw)))
    header = json.dumps(
        {"v": VERSION, "type": msg_type, "id": msg_id, "body": encoded, "bufs": table},
        separators=(",", ":"),
        allow_nan=False,
    ).encode()
    if len(header) > MAX_HEADER:
        raise EncodeError(f"{len(header)} bytes of JSON is more than the {MAX_HEADER} allowed")
    size = 4 + len(header) + sum(map(len, chunks))
    if size > max_message:
        raise EncodeError(f"{size / 2**20:.0f} MB is more than the {max_message / 2**20:.0f} MB allowed")
    return b"".join([_LEN.pack(len(header)), header, *chunks])


# --------------------------------------------------------------------- decoding


def _parse_int(text: str) -> int:
    if len(text) > 20:
        raise ProtocolError("integer literal too long")
    value = int(text)
    if not _INT64[0] <= value < _INT64[1]:
        raise ProtocolError("integer out of int64 range")
    return value


def _no_constant(text: str):
    raise ProtocolError(f"non-standard JSON constant {text}")


def _buffer_table(raw, remaining: int) -> list[tuple[np.dtype, tuple, int, int]]:
    """Validate the buffer table; return (dtype, shape, nbytes, offset) per buffer."""
    if type(raw) is not list or len(raw) > MAX_BUFFERS:
        raise ProtocolError("bad buffer table")
    out = []
    offset = 0
    for entry in raw:
        if type(entry) is not list or len(entry) != 3:
            raise ProtocolError("bad buffer descriptor")
        name, shape, nbytes = entry
        if type(name) is not str or name not in DTYPES:
            raise ProtocolError(f"dtype {str(name)[:40]!r} is not allowed")
        if type(shape) is not list or len(shape) > MAX_NDIM:
            raise ProtocolError("bad shape")
        count = 1
        for dim in shape:
            if type(dim) is not int or dim < 0:
                raise ProtocolError("bad shape")
            count *= dim
        dtype = DTYPES[name]
        if type(nbytes) is not int or nbytes != count * dtype.itemsize:
            raise ProtocolError("buffer size does not match its shape and dtype")
        if offset + nbytes > remaining:
            raise ProtocolError("message larger than the limit")
        out.append((dtype, tuple(shape), nbytes, offset))
        offset += nbytes + _pad(nbytes)
    return out


def _dec(node, arrays: list, used: list, depth: int):
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    t = type(node)
    if node is None or t is bool or t is str or t is int or t is float:
        return node
    if t is not dict or len(node) != 1:
        raise ProtocolError(f"unexpected {t.__name__} in message body")
    ((tag, inner),) = node.items()
    if tag == "l" or tag == "t":
        if type(inner) is not list:
            raise ProtocolError("bad list")
        items = [_dec(v, arrays, used, depth + 1) for v in inner]
        return items if tag == "l" else tuple(items)
    if tag == "d":
        if type(inner) is not dict:
            raise ProtocolError("bad dict")
        return {k: _dec(v, arrays, used, depth + 1) for k, v in inner.items()}
    if tag == "f":
        if inner not in ("nan", "inf", "-inf"):
            raise ProtocolError("bad float tag")
        return float(inner)
    if tag == "c":
        if type(inner) is not list or len(inner) != 2:
            raise ProtocolError("bad complex")
        re, im = (_dec(v, arrays, used, depth + 1) for v in inner)
        if type(re) is not float or type(im) is not float:
            raise ProtocolError("bad complex")
        return complex(re, im)
    if tag == "a" or tag == "s":
        if type(inner) is not int or not 0 <= inner < len(arrays) or used[inner]:
            raise ProtocolError("bad or repeated buffer reference")
        used[inner] = True
        arr = arrays[inner]
        if tag == "s":
            if arr.shape != ():
                raise ProtocolError("numpy scalar with a shape")
            return arr[()]
        return arr
    if tag == "u":
        if type(inner) is not list or len(inner) != 2 or not all(type(s) is str for s in inner):
            raise ProtocolError("bad unsupported-value tag")
        return Unsupported(inner[0][:200], inner[1][:2000])
    raise ProtocolError(f"unknown tag {tag[:20]!r}")


def read_frame(read_exact: Callable[[int], bytes | bytearray], max_message: int = MAX_MESSAGE) -> Message:
    """Read and validate one frame; ``read_exact(n)`` must return exactly n bytes.

    Raises ProtocolError on anything malformed; whatever ``read_exact`` raises
    (EOF, timeout) propagates unchanged.
    """
    (hlen,) = _LEN.unpack(bytes(read_exact(4)))
    if hlen == 0 or hlen > min(max_message, MAX_HEADER):
        raise ProtocolError(f"header of {hlen} bytes is out of bounds")
    raw = bytes(read_exact(hlen))
    try:
        head = json.loads(
            raw.decode("utf-8"), parse_int=_parse_int, parse_constant=_no_constant
        )
    except ProtocolError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"header is not valid JSON: {type(exc).__name__}") from None
    if (
        type(head) is not dict
        or set(head) != {"v", "type", "id", "body", "bufs"}
        or head["v"] != VERSION
        or type(head["type"]) is not str
        or type(head["id"]) is not str
    ):
        raise ProtocolError("bad frame header")
    table = _buffer_table(head["bufs"], max_message - 4 - hlen)
    total = 0
    if table:
        last = table[-1]
        total = last[3] + last[2] + _pad(last[2])
    payload = read_exact(total) if total else bytearray()
    if not isinstance(payload, bytearray):
        payload = bytearray(payload)
    if len(payload) != total:
        raise ProtocolError("short payload")
    arrays = []
    for dtype, shape, nbytes, offset in table:
        if nbytes:
            arr = np.frombuffer(payload, dtype=dtype, count=nbytes // dtype.itemsize, offset=offset)
            arr = arr.reshape(shape)
        else:
            arr = np.zeros(shape, dtype=dtype)
        # Native byte order for the judge (a no-op on little-endian machines).
        arrays.append(arr.astype(dtype.newbyteorder("="), copy=False))
    used = [False] * len(arrays)
    body = _dec(head["body"], arrays, used, 0)
    if not all(used):
        raise ProtocolError("unreferenced buffer")
    return Message(head["type"], head["id"], body)


def decode_bytes(data: bytes, max_message: int = MAX_MESSAGE) -> Message:
    """Decode one frame held in memory (tests, and the child's own reads)."""
    view = memoryview(data)
    pos = 0

    def read_exact(n: int):
        nonlocal pos
        if pos + n > len(view):
            raise ProtocolError("truncated frame")
        chunk = view[pos : pos + n]
        pos += n
        return chunk

    msg = read_frame(read_exact, max_message)
    if pos != len(view):
        raise ProtocolError("trailing bytes after the frame")
    return msg


# --------------------------------------------------------------------- channel


class Timeout(Exception):
    """The deadline passed before a frame was sent or received in full."""


class Closed(Exception):
    """The other end is gone (EOF, a broken pipe, a closed fd)."""


class Channel:
    """Frames over two pipe fds: ``rfd`` to read, ``wfd`` to write.

    With ``deadline`` (a time.monotonic() value) set, the fds must be
    non-blocking and no call waits past it (raises :class:`Timeout`);
    with ``deadline = None`` the calls block. Large payloads are read
    straight into their final buffer: one copy, never more than the frame.
    """

    def __init__(self, rfd: int, wfd: int, max_message: int = MAX_MESSAGE):
        self.rfd, self.wfd, self.max_message = rfd, wfd, max_message
        self.deadline: float | None = None
        self._buf = bytearray()

    def _wait(self, fd: int, event: int) -> None:
        if self.deadline is None:
            return
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout
        poller = select.poll()
        poller.register(fd, event)
        poller.poll(int(remaining * 1000) + 1)

    def send(self, frame: bytes) -> None:
        view = memoryview(frame)
        while view:
            self._wait(self.wfd, select.POLLOUT)
            try:
                view = view[os.write(self.wfd, view) :]
            except BlockingIOError:
                continue
            except OSError:  # EPIPE, EBADF: the reader is gone
                raise Closed from None

    def _read_exact(self, n: int) -> bytearray:
        buf = self._buf
        if len(buf) >= n:
            out = buf[:n]
            del buf[:n]
            return out
        out = bytearray(n)
        have = len(buf)
        out[:have] = buf
        buf.clear()
        view = memoryview(out)
        while have < n:
            self._wait(self.rfd, select.POLLIN)
            try:
                if n - have >= 1 << 16:  # large: straight into the result
                    got = os.readv(self.rfd, [view[have:]])
                    chunk = b""
                else:  # small: read ahead, the rest is the next frame's
                    chunk = os.read(self.rfd, 1 << 16)
                    got = min(len(chunk), n - have)
                    out[have : have + got] = chunk[:got]
                    buf += chunk[got:]
            except BlockingIOError:
                continue
            except OSError:
                raise Closed from None
            if got == 0 and not chunk:
                raise Closed
            have += got
        return out

    def receive(self) -> Message:
        return read_frame(self._read_exact, self.max_message)

    def close(self) -> None:
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._buf.clear()
