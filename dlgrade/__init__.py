"""dlgrade: grades student implementations of deep-learning fundamentals.

The work lives in four subpackages, importable as ``dlgrade.reference`` (the
oracles), ``dlgrade.checks`` (how an answer is judged), ``dlgrade.assignments``
(what a course hands out) and ``dlgrade.grader`` (running untrusted code,
scoring, reports, the CLI). This module stays empty of imports on purpose: the
sandboxed child process imports ``dlgrade.grader.child`` and must not pull in
anything heavy.
"""

__version__ = "0.1.0"
