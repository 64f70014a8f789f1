"""Imports the reference implementation (dlgrade.reference) at module level.

Honest outcome: the import guard refuses it: the import fails with kind
"forbidden" and every function fails with it.

expect import: forbidden "dlgrade.reference"
"""

from dlgrade.reference.activations import relu, sigmoid  # noqa: F401
