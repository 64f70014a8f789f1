"""relu sends a well-formed frame header claiming a 2**40-byte float64 buffer.

Honest outcome: the parent refuses the frame before reading the payload
(its memory stays bounded): relu fails with "crash" ("larger than the
limit"); sigmoid is correct.

expect relu: crash "limit"
expect sigmoid: ok
"""

import json
import os
import struct

import numpy as np


def relu(z):
    n = 2**37
    head = json.dumps({"v": 1, "type": "item", "id": "x", "body": {"d": {"i": 0, "ok": {"a": 0}}},
                       "bufs": [["float64", [n], 8 * n]]}).encode()
    frame = struct.pack("<I", len(head)) + head + b"\0" * 4096
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                os.write(int(name), frame)
        except OSError:
            pass
    while True:
        pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
