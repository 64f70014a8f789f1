"""relu calls os._exit(0); sigmoid is correct.

Honest outcome: relu fails with "crash" ("exited with status 0 during the
call"); the child is restarted; sigmoid is correct.

expect relu: crash "exited with status 0"
expect sigmoid: ok
"""

import os

import numpy as np


def relu(z):
    os._exit(0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
