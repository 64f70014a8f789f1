"""Table entries: weight initializers, judged by statistics (checks/samplers.py).

Each entry is a sampler ``name(fan_in, fan_out, seed)``; its exact law comes
from ``reference.initializers.distribution``. The mistakes are the ones
students make (and the notes' asymmetric bounds); each is named only when the
student's samples are indistinguishable from the mistake's.
"""

from __future__ import annotations

import numpy as np

from dlgrade.reference import initializers as I

from ..spec import Entry, Mistake


def _inputs():
    from hypothesis import strategies as st

    return st.fixed_dictionaries({"fan_in": st.integers(1, 50), "fan_out": st.integers(1, 50), "seed": st.integers(0, 2**31)})


def _u(scale):
    return lambda fi, fo, seed: np.random.default_rng(seed).uniform(-scale(fi, fo), scale(fi, fo), size=(fi, fo))


def _n(scale):
    return lambda fi, fo, seed: np.random.default_rng(seed).normal(0.0, scale(fi, fo), size=(fi, fo))


FAN_SWAP = "fan_in is the number of inputs of the layer: the number of ROWS of W (x @ W); you used fan_out."
SQRT1 = "He initialization keeps the variance of ReLU layers: std = sqrt(2 / fan_in); sqrt(1 / fan_in) is LeCun's."
VAR_AS_STD = "You passed the variance where the standard deviation goes: np.random.normal takes the std, sqrt(2 / fan_in)."
SQRT3 = "A uniform U(-a, a) has variance a^2 / 3; for variance 2 / fan_in the bound is a = sqrt(6 / fan_in), not sqrt(3 / fan_in)."
FAMILY_N = "This initializer is uniform: draw with rng.uniform(-a, a, size=(fan_in, fan_out)), not a normal with the same variance."
FAMILY_U = "This initializer is normal: draw with rng.normal(0, std, size=(fan_in, fan_out)), not a uniform with the same variance."
NOTES = ("The notes' bound [-1/sqrt(fan_in), 1/sqrt(fan_out)] is asymmetric (a typo in the notes): the weights get a "
         "nonzero mean. Use U(-a, a) with the same a on both sides.")
XAVIER_SUM = "Xavier uses fan_in + fan_out: std = sqrt(2 / (fan_in + fan_out)); you used one fan only."

ENTRIES = (
    Entry("uniform", "initializers", I.uniform, ("fan_in", "fan_out", "seed"), _inputs, kind="sampler",
          mistakes=(
              Mistake("uniform: fan_out instead of fan_in", FAN_SWAP, _u(lambda fi, fo: 1 / np.sqrt(fo))),
              Mistake("uniform: the notes' asymmetric bound", NOTES, I.notes_uniform),
              Mistake("uniform: normal instead of uniform", FAMILY_N, _n(lambda fi, fo: 1 / np.sqrt(3 * fi))),
              Mistake("uniform: U(-1, 1)", "The bound is 1 / sqrt(fan_in), not 1: unscaled weights make activations grow layer by layer.", _u(lambda fi, fo: 1.0)),
          )),
    Entry("xavier_uniform", "initializers", I.xavier_uniform, ("fan_in", "fan_out", "seed"), _inputs, kind="sampler",
          mistakes=(
              Mistake("xavier_uniform: sqrt(3/(fan_in+fan_out))", SQRT3.replace("2 / fan_in", "2 / (fan_in + fan_out)").replace("sqrt(6 / fan_in)", "sqrt(6 / (fan_in + fan_out))").replace("sqrt(3 / fan_in)", "sqrt(3 / (fan_in + fan_out))"), _u(lambda fi, fo: np.sqrt(3 / (fi + fo)))),
              Mistake("xavier_uniform: normal instead of uniform", FAMILY_N, _n(lambda fi, fo: np.sqrt(2 / (fi + fo)))),
              Mistake("xavier_uniform: one fan only", XAVIER_SUM, _u(lambda fi, fo: np.sqrt(6 / fi))),
          )),
    Entry("xavier_normal", "initializers", I.xavier_normal, ("fan_in", "fan_out", "seed"), _inputs, kind="sampler",
          mistakes=(
              Mistake("xavier_normal: variance as std", VAR_AS_STD.replace("sqrt(2 / fan_in)", "sqrt(2 / (fan_in + fan_out))"), _n(lambda fi, fo: 2 / (fi + fo))),
              Mistake("xavier_normal: uniform instead of normal", FAMILY_U, _u(lambda fi, fo: np.sqrt(6 / (fi + fo)))),
              Mistake("xavier_normal: one fan only", XAVIER_SUM, _n(lambda fi, fo: np.sqrt(2 / fi))),
              Mistake("xavier_normal: sqrt(1/(fan_in+fan_out))", "Xavier's std is sqrt(2 / (fan_in + fan_out)); the 2 is the average of the two fans.", _n(lambda fi, fo: np.sqrt(1 / (fi + fo)))),
          )),
    Entry("he_uniform", "initializers", I.he_uniform, ("fan_in", "fan_out", "seed"), _inputs, kind="sampler",
          mistakes=(
              Mistake("he_uniform: fan_out instead of fan_in", FAN_SWAP, _u(lambda fi, fo: np.sqrt(6 / fo))),
              Mistake("he_uniform: sqrt(3/fan_in)", SQRT3, _u(lambda fi, fo: np.sqrt(3 / fi))),
              Mistake("he_uniform: the notes' asymmetric bound", NOTES.replace("1/sqrt(fan_in), 1/sqrt(fan_out)", "sqrt(6)/sqrt(fan_in), sqrt(6)/sqrt(fan_out)"), I.notes_he_uniform),
              Mistake("he_uniform: normal instead of uniform", FAMILY_N, _n(lambda fi, fo: np.sqrt(2 / fi))),
          )),
    Entry("he_normal", "initializers", I.he_normal, ("fan_in", "fan_out", "seed"), _inputs, kind="sampler",
          mistakes=(
              Mistake("he_normal: fan_out instead of fan_in", FAN_SWAP, _n(lambda fi, fo: np.sqrt(2 / fo))),
              Mistake("he_normal: sqrt(1/fan_in)", SQRT1, _n(lambda fi, fo: np.sqrt(1 / fi))),
              Mistake("he_normal: variance as std", VAR_AS_STD, _n(lambda fi, fo: 2 / fi)),
              Mistake("he_normal: uniform instead of normal", FAMILY_U, _u(lambda fi, fo: np.sqrt(6 / fi))),
          )),
)
