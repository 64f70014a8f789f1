"""relu writes an endless stream of bytes to the protocol pipes from a thread.

Honest outcome: the parent reads at most one frame's worth, finds it
malformed and kills the child: relu fails with "crash"; sigmoid is correct.

expect relu: crash
expect sigmoid: ok
"""

import os
import threading

import numpy as np


def _flood(fd):
    data = b"\x10\x00\x00\x00" + b"A" * 65536
    try:
        while True:
            os.write(fd, data)
    except OSError:
        pass


def relu(z):
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                threading.Thread(target=_flood, args=(int(name),), daemon=True).start()
        except OSError:
            pass
    while True:
        pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
