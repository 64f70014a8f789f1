"""Tries to overwrite the grader's own files and to write next to its work dir.

Honest outcome (as root, with the uid drop): every write is refused;
relu returns the number of writes that succeeded (0: correct numbers);
grader files are untouched; sigmoid is correct.

needs: root (without the uid drop these attempts would succeed against the
developer's own files and processes)
expect relu: ok
expect sigmoid: ok
"""

import os

import numpy as np

import dlgrade.grader.wire


def _targets():
    grader_dir = os.path.dirname(dlgrade.grader.wire.__file__)
    return [
        dlgrade.grader.wire.__file__,
        os.path.join(grader_dir, "pwned.py"),
        os.path.join(os.path.dirname(os.getcwd()), "pwned.txt"),
        "/root/pwned.txt",
        "/etc/pwned.txt",
        os.path.join(grader_dir, "..", "tests", "pwned.txt"),
    ]


def relu(z):
    wrote = 0
    for path in _targets():
        try:
            with open(path, "a") as fh:
                fh.write("# pwned\n")
            wrote += 1
        except OSError:
            pass
    return np.maximum(z, 0) + wrote


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
