"""Calls sys.exit(0) while being imported.

Honest outcome: the import fails ("called sys.exit(0) while being imported");
every function fails with kind "exception".

expect import: exception "sys.exit(0)"
"""

import sys

sys.exit(0)
