"""Opens a TCP connection to a port given by the test.

Honest outcome: in rlimits mode the connection may succeed (the network is
not isolated; documented); under bwrap it fails (no network namespace
access). relu and sigmoid are correct.

expect relu: ok
expect sigmoid: ok
"""

import socket

import numpy as np


def relu(z):
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return "connected"
    except OSError as exc:
        return f"refused: {exc}"
