"""relu dereferences a NULL pointer with ctypes; sigmoid kills its own process with SIGKILL.

Honest outcome: relu fails with "crash" (SIGSEGV); sigmoid fails with
"crash" (SIGKILL); each time the child is restarted.

expect relu: crash "SIGSEGV"
expect sigmoid: crash "SIGKILL"
"""

import ctypes
import os
import signal


def relu(z):
    return ctypes.c_int.from_address(8).value


def sigmoid(z):
    os.kill(os.getpid(), signal.SIGKILL)
