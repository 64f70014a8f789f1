"""The initializer references: shapes, seeds, formulas, distribution() and its CDF."""

import math

import numpy as np
import pytest

from dlgrade.reference import initializers as I

SCALES = {  # name -> (family, scale = bound or std), at fan_in=400, fan_out=200
    "uniform": ("uniform", 1 / math.sqrt(400)),
    "xavier_uniform": ("uniform", math.sqrt(6 / 600)),
    "xavier_normal": ("normal", math.sqrt(2 / 600)),
    "he_uniform": ("uniform", math.sqrt(6 / 400)),
    "he_normal": ("normal", math.sqrt(2 / 400)),
}


@pytest.mark.parametrize("name", I.NAMES)
def test_shape_dtype_and_seed(name):
    f = getattr(I, name)
    w = f(400, 200, 7)
    assert isinstance(w, np.ndarray) and w.shape == (400, 200) and w.dtype == np.float64
    assert np.array_equal(w, f(400, 200, 7))
    assert not np.array_equal(w, f(400, 200, 8))
    assert f(3, 5, 0).shape == (3, 5) and f(1, 1, 0).shape == (1, 1)
    assert f(np.int64(4), 2, 0).shape == (4, 2)


@pytest.mark.parametrize("name", I.NAMES)
def test_one_draw_from_default_rng(name):
    """The documented recipe, reproduced exactly: one call on default_rng(seed)."""
    family, s = SCALES[name]
    rng = np.random.default_rng(11)
    want = rng.uniform(-s, s, size=(400, 200)) if family == "uniform" else rng.normal(0.0, s, size=(400, 200))
    np.testing.assert_allclose(getattr(I, name)(400, 200, 11), want, rtol=1e-15, atol=1e-17)


@pytest.mark.parametrize("name", I.NAMES)
@pytest.mark.parametrize("fans", [(0, 3), (3, -1), (2.5, 3), (True, 3), ("3", 3)])
def test_rejects_bad_fans(name, fans):
    with pytest.raises((ValueError, TypeError)):
        getattr(I, name)(*fans, 0)
    with pytest.raises((ValueError, TypeError)):
        I.distribution(name, *fans)


@pytest.mark.parametrize("name", I.NAMES)
def test_distribution_fields(name):
    family, s = SCALES[name]
    d = I.distribution(name, 400, 200)
    assert (d.name, d.family, d.fan_in, d.fan_out, d.mean) == (name, family, 400, 200, 0.0)
    assert math.isclose(d.variance, d.std**2, rel_tol=1e-14)
    if family == "uniform":
        assert math.isclose(d.bound, s, rel_tol=1e-15) and math.isclose(d.std, s / math.sqrt(3), rel_tol=1e-15)
    else:
        assert d.bound is None and math.isclose(d.std, s, rel_tol=1e-15)
    assert f"{s:#.3g}" in d.describe()


def test_twins_share_variance():
    for fi, fo in ((400, 200), (3, 11)):
        assert math.isclose(I.distribution("xavier_uniform", fi, fo).variance,
                            I.distribution("xavier_normal", fi, fo).variance, rel_tol=1e-15)
        assert math.isclose(I.distribution("he_uniform", fi, fo).variance,
                            I.distribution("he_normal", fi, fo).variance, rel_tol=1e-15)
        assert math.isclose(I.distribution("uniform", fi, fo).variance, 1 / (3 * fi), rel_tol=1e-15)


def test_unknown_name_and_inconsistent_distribution():
    with pytest.raises(ValueError, match="unknown initializer"):
        I.distribution("lecun", 3, 3)
    with pytest.raises(ValueError):
        I.Distribution("x", "normal", 1, 1, 1.0, 2.0, None, "std = 1")
    with pytest.raises(ValueError):
        I.Distribution("x", "uniform", 1, 1, 1.0, 1.0, None, "a = 1")
    with pytest.raises(ValueError):
        I.Distribution("x", "laplace", 1, 1, 1.0, 1.0, None, "b = 1")


def test_normal_cdf_accuracy():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.uniform(-10, 10, 20000), rng.normal(size=20000), np.linspace(-9.5, 9.5, 3801)])
    exact = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in z])
    assert np.max(np.abs(I.normal_cdf(z) - exact)) < 1e-12
    special = I.normal_cdf(np.array([-np.inf, np.inf, np.nan, 0.0, -40.0, 40.0]))
    assert special[0] == 0 and special[1] == 1 and np.isnan(special[2])
    assert special[3] == pytest.approx(0.5, abs=1e-15) and special[4] == 0 and special[5] == 1
    assert I.normal_cdf(0.3).shape == ()


def test_cdfs():
    d = I.distribution("he_uniform", 400, 200)
    a = d.bound
    np.testing.assert_allclose(d.cdf([-2 * a, -a, 0.0, a / 2, a, 3 * a]), [0, 0, 0.5, 0.75, 1, 1], atol=1e-15)
    n = I.distribution("he_normal", 400, 200)
    assert n.cdf(n.std) == pytest.approx(0.8413447460685429, abs=1e-12)
    x = np.linspace(-5, 5, 101) * n.std
    assert np.all(np.diff(n.cdf(x)) > 0)


def test_notes_forms_are_asymmetric():
    w = I.notes_uniform(400, 200, 0)
    assert w.min() == pytest.approx(-1 / math.sqrt(400), rel=1e-3)
    assert w.max() == pytest.approx(1 / math.sqrt(200), rel=1e-3)
    assert w.mean() == pytest.approx((1 / math.sqrt(200) - 1 / math.sqrt(400)) / 2, rel=0.02)
    h = I.notes_he_uniform(400, 200, 0)
    assert h.max() == pytest.approx(math.sqrt(6 / 200), rel=1e-3) and h.min() == pytest.approx(-math.sqrt(6 / 400), rel=1e-3)
    # With square fans the notes happen to be right.
    np.testing.assert_array_equal(I.notes_uniform(50, 50, 3), I.uniform(50, 50, 3))
