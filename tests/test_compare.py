"""The comparison helper: what it accepts, and the message for each way of being wrong."""

import numpy as np
import pytest

from dlgrade.checks.compare import compare
from dlgrade.checks.spec import Tolerance
from dlgrade.checks.values import Unsupported, to_plain

E = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def test_equal_within_tolerance_passes():
    assert compare(E, E + 1e-9) is None


def test_python_float_and_0d_array_both_fine_for_a_scalar():
    assert compare(np.float64(2.5), 2.5) is None
    assert compare(2.5, np.array(2.5)) is None


def test_integer_results_with_right_values_are_accepted_unless_forbidden():
    assert compare(np.array([0.0, 1.0]), np.array([0, 1])) is None
    assert compare(np.array([0.0, 1.0]), np.array([False, True])) is None
    m = compare(np.array([0.0, 1.0]), np.array([0, 1]), integer_ok=False)
    assert m.kind == "dtype" and "integer" in m.message


@pytest.mark.parametrize(
    "got,kind,words",
    [
        (None, "none", "return"),
        (Unsupported("generator"), "type", "generator"),
        ([1.0, 2.0], "type", "np.array"),
        (E.astype(complex), "dtype", "complex"),
        (E.T, "shape", "shape (3, 2)"),
        (E.ravel(), "shape", "reshape"),
        (np.where(E > 4, np.nan, E), "nonfinite", "NaN"),
        (np.where(E > 4, np.inf, E), "nonfinite", "inf"),
    ],
)
def test_each_kind_of_wrong_answer_has_its_message(got, kind, words):
    m = compare(E, got)
    assert m is not None and m.kind == kind
    assert words.lower() in m.message.lower()


def test_value_mismatch_names_the_worst_entry_and_counts():
    got = E.copy()
    got[1, 2] += 0.5
    got[0, 0] += 0.1
    m = compare(E, got)
    assert m.kind == "value" and m.index == (1, 2) and m.n_wrong == 2 and m.n_total == 6
    assert "Mismatched elements: 2 / 6" in m.message and "(1, 2)" in m.message
    assert m.expected_at == 6.0 and m.got_at == 6.5


def test_relative_tolerance_scales_with_magnitude():
    big = np.array([1e8])
    assert compare(big, big * (1 + 1e-8)) is None
    assert compare(big, big * (1 + 1e-4)) is not None


def test_scalar_shape_message_says_scalar():
    m = compare(3.0, np.array([3.0]))
    assert m.kind == "shape" and "scalar" in m.message


def test_tuple_arity_and_names():
    exp = (np.ones(2), np.zeros(3))
    assert compare(exp, [np.ones(2), np.zeros(3)]) is None  # a list is a fine tuple
    m = compare(exp, (np.ones(2),), names=("dx", "dw"))
    assert m.kind == "arity" and "(dx, dw)" in m.message
    m = compare(exp, (np.ones(2), np.ones(3)), names=("dx", "dw"))
    assert m.where == "dw"


def test_dict_keys_and_values():
    exp = {"W1": np.ones(2), "b1": np.zeros(1)}
    assert compare(exp, {"W1": np.ones(2), "b1": np.zeros(1), "extra": 1.0}) is None
    assert compare(exp, {"W1": np.ones(2)}).kind == "keys"
    assert compare(exp, {"W1": np.ones(2), "b1": np.ones(1)}).where == "['b1']"


def test_tolerance_is_validated():
    with pytest.raises(ValueError):
        Tolerance(rtol=-1)


class Liar(np.ndarray):
    def __eq__(self, other):
        return True

    def __array__(self, *a, **k):
        return np.zeros(self.shape)


def test_to_plain_reads_subclasses_through_the_base_class():
    arr = np.array([1.0, 2.0]).view(Liar)
    plain = to_plain(arr)
    assert type(plain) is np.ndarray and plain.tolist() == [1.0, 2.0]


class FloatLiar(float):
    def __float__(self):
        return 99.0


@pytest.mark.parametrize(
    "value,expected_type",
    [((x for x in range(3)), Unsupported), (np.array([object()]), Unsupported), ({1: 2.0}, Unsupported),
     (FloatLiar(1.5), float), (np.float32(1.5), np.ndarray), ([1, (2.0, None)], list)],
)
def test_to_plain_only_lets_numbers_through(value, expected_type):
    assert isinstance(to_plain(value), expected_type)
    if isinstance(value, FloatLiar):
        assert to_plain(value) == 1.5
