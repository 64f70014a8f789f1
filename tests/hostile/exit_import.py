"""Calls os._exit(0) while being imported.

Honest outcome: the import fails with kind "crash" ("exited with status 0");
every function fails with it.

expect import: crash "exited with status 0"
"""

import os

os._exit(0)
