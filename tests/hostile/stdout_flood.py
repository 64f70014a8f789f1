"""Prints megabytes at import and in relu, then answers correctly.

Honest outcome: prints are captured and truncated (output_bytes), never
reach the protocol; relu and sigmoid return correct numbers.

expect relu: ok
expect sigmoid: ok
"""

import sys

import numpy as np

print("x" * 5_000_000)


def relu(z):
    for _ in range(50):
        print("y" * 1_000_000)
        sys.stderr.write("e" * 1_000_000)
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
