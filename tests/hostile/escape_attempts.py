"""Tries to regain root, raise its limits, and signal the grader; answers correctly.

Honest outcome (as root, with the uid drop): every attempt is refused, the
grader survives; relu and sigmoid are correct. (Without root the student's
code runs as the grading user, and could signal the grader: the report says
so through limits_in_force()["separate_user"].)

needs: root (without the uid drop these attempts would succeed against the
developer's own files and processes)
expect relu: ok
expect sigmoid: ok
"""

import os
import resource
import signal

import numpy as np

ESCAPED = []


def _try(name, action):
    try:
        action()
        ESCAPED.append(name)
    except (OSError, ValueError):
        pass


def relu(z):
    if os.getuid() != 0:
        _try("setuid", lambda: os.setuid(0))
        _try("rlimit", lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)))
        _try("kill-parent", lambda: os.kill(os.getppid(), signal.SIGSTOP))
        _try("kill-init", lambda: os.kill(1, 0))
    return np.maximum(z, 0) + len(ESCAPED)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
