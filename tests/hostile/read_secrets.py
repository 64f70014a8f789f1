"""Reads os.environ, the grader's environment in /proc, and a neighbour's file.

Honest outcome: the environment is scrubbed (no SECRET_TOKEN), the grader's
/proc/PID/environ is unreadable (another uid), and files outside the work
dir that are not world-readable are refused. relu and sigmoid are correct;
leaks() returns what it found, for the test to inspect.

expect relu: ok
expect sigmoid: ok
"""

import os

import numpy as np


def relu(z):
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def leaks(paths):
    found = {"environ": dict(os.environ)}
    for path in [f"/proc/{os.getppid()}/environ", *paths]:
        try:
            with open(path, "rb") as fh:
                found[path] = fh.read(200).decode("latin-1")
        except OSError:
            pass
    return found
