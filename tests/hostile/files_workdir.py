"""Writes, lists and deletes files in its own work dir (its cwd), and in /tmp.

Honest outcome: allowed (the work dir is its own, deleted afterwards; its
/tmp files are removed at close()); relu and sigmoid are correct.

expect relu: ok
expect sigmoid: ok
"""

import os
import tempfile

import numpy as np


def relu(z):
    with open("scratch.txt", "w") as fh:
        fh.write("hello")
    assert "scratch.txt" in os.listdir(".")
    os.remove("scratch.txt")
    for name in os.listdir("."):
        if name.endswith(".py"):
            os.remove(name)  # its own copy only
    return np.maximum(z, 0)


def sigmoid(z):
    with open(os.path.join("/tmp", "dlgrade-hostile-leftover.txt"), "w") as fh:
        fh.write("left behind")
    tempfile.mkdtemp(prefix="dlgrade-hostile-dir-", dir="/tmp")
    return 1 / (1 + np.exp(-z))
