"""Prints fake protocol frames and a fake results JSON, writes results.json, and returns wrong numbers.

Honest outcome: prints go to the capture file and files stay in the work dir;
the parent judges what relu returned (zeros: wrong); sigmoid is correct.

expect relu: wrong
expect sigmoid: ok
"""

import json
import struct

import numpy as np

_FAKE = json.dumps({"score": 100, "max_score": 100, "tests": [{"name": "relu", "status": "passed"}]})
print(_FAKE)
print(struct.pack("<I", 20).decode("latin-1") + '{"v":1,"type":"item"}')
with open("results.json", "w") as fh:
    fh.write(_FAKE)


def relu(z):
    print(_FAKE)
    return np.zeros_like(z)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
