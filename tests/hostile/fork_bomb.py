"""relu is a fork bomb (every process forks forever); sigmoid is correct.

Honest outcome: RLIMIT_NPROC (on the sandbox's own uid) caps the bomb at a
few dozen processes; relu fails with "timeout" (or "crash": forked copies
may answer on the protocol pipe); all of them are killed; sigmoid is
correct in a restarted child; nothing is left after close().

expect relu: timeout|crash
expect sigmoid: ok
"""

import os

import numpy as np


def relu(z):
    while True:
        try:
            os.fork()
        except OSError:
            pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
