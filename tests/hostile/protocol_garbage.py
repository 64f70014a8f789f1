"""relu finds the protocol pipes in /proc/self/fd and writes garbage to them.

Honest outcome: the parent refuses the malformed frame: relu fails with
"crash" ("malformed data"); the child is restarted; sigmoid is correct.

expect relu: crash "malformed"
expect sigmoid: ok
"""

import os

import numpy as np


def relu(z):
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                os.write(int(name), b"\xff\xff\xff\x7fgarbage{not json")
        except OSError:
            pass
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
