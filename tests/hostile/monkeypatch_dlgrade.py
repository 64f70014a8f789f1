"""Patches dlgrade inside the child: compare helpers, to_plain, and the child's own invoke.

Honest outcome: judging happens in the parent, which none of this touches.
The patched invoke lets relu's wrong answer (z * 0 + 1) through as if
correct-looking, but the parent compares it and finds it wrong; sigmoid is
correct.

expect relu: wrong
expect sigmoid: ok
"""

import numpy as np

import dlgrade.checks.student as student
import dlgrade.checks.values as values
import dlgrade.grader.child as child

values.to_plain = lambda x, _depth=0: x
student.mutated_arguments = lambda before, after: []
_real_invoke = child.invoke


def _forged_invoke(fn, args, kwargs):
    result, error = _real_invoke(fn, args, kwargs)
    return result, None


child.invoke = _forged_invoke
try:
    import dlgrade.checks.compare as compare

    for _name in dir(compare):
        if not _name.startswith("_") and callable(getattr(compare, _name)):
            setattr(compare, _name, lambda *a, **k: True)
except ImportError:
    pass


def relu(z):
    return z * 0 + 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
