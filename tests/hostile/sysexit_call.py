"""relu calls sys.exit(3); sigmoid raises SystemExit from a nested helper after a print.

Honest outcome: both fail with kind "exception" ("called sys.exit(3) during
the call"); the child does not die.

expect relu: exception "sys.exit(3)"
expect sigmoid: exception "sys.exit('bye')"
"""

import sys


def relu(z):
    sys.exit(3)


def _helper():
    print("bye")
    raise SystemExit("bye")


def sigmoid(z):
    _helper()
