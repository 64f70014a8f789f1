"""relu returns a broadcast view of 10**10 entries; sigmoid returns a 24 MB array.

Honest outcome: relu's value crosses as Unsupported ("too large", never
materialised); sigmoid's frame is above the test's message cap (8 MB), so
the child refuses to send it: "exception" ("cannot be sent"). The parent's
memory stays bounded.

expect relu: unsupported
expect sigmoid: exception "cannot be sent"
"""

import numpy as np


def relu(z):
    return np.broadcast_to(np.float64(0.0), (10**5, 10**5))


def sigmoid(z):
    return np.zeros(3 * 10**6)
