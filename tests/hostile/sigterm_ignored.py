"""Ignores SIGTERM and SIGINT at import; relu then loops forever.

Honest outcome: the parent kills with SIGKILL, which cannot be ignored: relu
times out, sigmoid is correct, nothing survives close().

expect relu: timeout
expect sigmoid: ok
"""

import signal

import numpy as np

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)


def relu(z):
    while True:
        pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
