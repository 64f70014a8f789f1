"""relu writes 64 MB straight to fd 2 with os.write (bypassing sys.stderr).

Honest outcome: RLIMIT_FSIZE stops the writes (EFBIG): relu fails with
"exception" naming the file size limit; sigmoid is correct.

expect relu: exception "file size limit"
expect sigmoid: ok
"""

import os

import numpy as np


def relu(z):
    chunk = b"z" * (1 << 20)
    for _ in range(64):
        os.write(2, chunk)
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
