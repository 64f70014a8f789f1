"""relu starts sleeping threads until it cannot; sigmoid is correct.

Honest outcome: the process limit stops the threads (RuntimeError: can't
start new thread): relu fails with "exception"; the child lives on and
sigmoid is correct.

expect relu: exception "thread"
expect sigmoid: ok
"""

import threading
import time

import numpy as np


def relu(z):
    for _ in range(100_000):
        threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
