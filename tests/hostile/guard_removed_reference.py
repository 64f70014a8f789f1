"""Removes the import guard from sys.meta_path, then imports the reference
solutions under a computed name to return their answers.

Honest outcome: as root, the child covers the judge's folders (reference,
table, bundled assignments) with empty root-only mounts before it drops to
the sandbox uid, so the import fails and nothing is earned. (Without root
this is the documented gap: use --sandbox bwrap.)

expect import: exception|forbidden
needs: root
"""

import importlib
import sys

sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_Guard"]
_ref = importlib.import_module("dlgrade." + "refer" + "ence.activations")


def relu(z):
    return _ref.relu(z)


def sigmoid(z):
    return _ref.sigmoid(z)
