"""Sleeps for a long time while being imported (no CPU used, so RLIMIT_CPU never fires).

Honest outcome: the import times out; every function fails with "timeout".

expect import: timeout
"""

import time

time.sleep(1000)
