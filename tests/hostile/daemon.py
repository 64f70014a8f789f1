"""relu leaves a daemon running (double fork + setsid + sleep); answers correctly.

Honest outcome: relu and sigmoid are correct; daemon_pid() tells the test
which process to look for; it is dead after close().

expect relu: ok
expect sigmoid: ok
"""

import os
import time

import numpy as np

_PID = []


def relu(z):
    if not _PID:
        r, w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.write(w, str(os.getpid()).encode())
                os.closerange(0, 65536)
                time.sleep(1000)
            os._exit(0)
        _PID.append(int(os.read(r, 32)))
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def daemon_pid():
    return _PID[0] if _PID else -1
