"""relu returns a list nested 1000 deep; sigmoid a 10 MB string.

Honest outcome: to_plain cuts the nesting (Unsupported inside) and the
string (2,000 characters); both are plain values, neither is correct.

expect relu: wrong
expect sigmoid: wrong
"""


def relu(z):
    out = [1.0]
    for _ in range(1000):
        out = [out]
    return out


def sigmoid(z):
    return "s" * 10_000_000
