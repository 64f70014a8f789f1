"""Registers an atexit handler that sleeps and starts a non-daemon thread at import.

Honest outcome: the child is never asked to exit politely: close() kills it
at once; relu and sigmoid are correct; close() stays fast.

expect relu: ok
expect sigmoid: ok
"""

import atexit
import threading
import time

import numpy as np

atexit.register(time.sleep, 1000)
threading.Thread(target=time.sleep, args=(1000,)).start()


def relu(z):
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
