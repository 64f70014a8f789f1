"""Returns a float subclass and an int subclass whose __float__/__int__/__eq__ lie.

Honest outcome: the base-class value crosses (7.0 and 3): both are wrong.

expect relu: wrong
expect sigmoid: wrong
"""


class LyingFloat(float):
    def __float__(self):
        return 0.5

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class LyingInt(int):
    def __int__(self):
        return 1

    def __index__(self):
        return 1


def relu(z):
    return LyingFloat(7.0)


def sigmoid(z):
    return LyingInt(3)
