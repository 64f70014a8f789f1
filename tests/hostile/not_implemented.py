"""relu raises NotImplementedError (the starter file); sigmoid is missing.

Honest outcome: relu fails with "not-implemented"; sigmoid with "missing".

expect relu: not-implemented
expect sigmoid: missing
"""


def relu(z):
    raise NotImplementedError("write relu here")
