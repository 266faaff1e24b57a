"""Toy generators: checked against the geometry each one promises, with noise switched off."""
import numpy as np
import pytest

from playground.core.data import TOY_GENERATORS, make_toy
from playground.core.errors import DataError

NAMES = ["xor", "circles", "gaussians", "spirals", "moons"]


def test_all_five_are_registered():
    assert sorted(TOY_GENERATORS) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_types_balance_and_range(name):
    x, y = make_toy(name, 401, noise=0.1, seed=3)
    assert x.shape == (401, 2) and x.dtype == np.float32 and x.flags.c_contiguous
    assert y.shape == (401,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    if name == "xor":                                  # labels come from uniform quadrants
        assert 120 < y.sum() < 280
    else:                                              # exactly half and half
        assert sorted(np.bincount(y)) == [200, 201]
    assert np.all(np.abs(x) < 1.6) and np.isfinite(x).all()
    assert np.abs(x).max() > 0.5                       # uses the square, not a corner of it


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_for_a_seed(name):
    a, b, c = make_toy(name, 200, 0.2, seed=7), make_toy(name, 200, 0.2, seed=7), make_toy(name, 200, 0.2, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", NAMES)
def test_rows_are_shuffled(name):
    _, y = make_toy(name, 400, 0.0, seed=1)
    # Not all zeros then all ones: a slice of the rows must hold both classes.
    assert 0 < y[:100].sum() < 100


@pytest.mark.parametrize("name", NAMES)
def test_noise_moves_points(name):
    x0, _ = make_toy(name, 300, 0.0, seed=2)
    x1, _ = make_toy(name, 300, 0.3, seed=2)
    assert not np.allclose(x0, x1)


def test_xor_labels_follow_quadrants():
    x, y = make_toy("xor", 500, 0.0, seed=1)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(np.int64))


def test_circles_inner_disc_and_outer_ring():
    x, y = make_toy("circles", 500, 0.0, seed=1)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y == 1].max() <= 0.5 + 1e-6
    assert r[y == 0].min() >= 0.7 - 1e-6 and r[y == 0].max() <= 1.0 + 1e-6


def test_gaussians_centres_and_linear_separability():
    x, y = make_toy("gaussians", 2000, 0.1, seed=1)
    np.testing.assert_allclose(x[y == 0].mean(0), [-0.5, -0.5], atol=0.05)
    np.testing.assert_allclose(x[y == 1].mean(0), [0.5, 0.5], atol=0.05)
    assert ((x.sum(1) > 0) == (y == 1)).mean() > 0.95


def test_spirals_are_point_symmetric_classes():
    x, y = make_toy("spirals", 1000, 0.0, seed=1)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.max() <= 0.95 + 1e-6
    # Class 1 is class 0 rotated by pi: its radius-angle relation is shifted by pi.
    theta = np.arctan2(x[:, 1], x[:, 0])
    t = (r - 0.05) / 0.9
    expected = np.angle(np.exp(1j * (3 * np.pi * t + np.pi * y)))
    np.testing.assert_allclose(np.angle(np.exp(1j * (theta - expected))), 0, atol=1e-4)


def test_moons_lie_on_their_half_circles():
    x, y = make_toy("moons", 600, 0.0, seed=1)
    u = x * 1.5 + [0.5, 0.25]                      # undo the rescaling into [-1, 1]
    np.testing.assert_allclose(np.hypot(u[y == 0, 0], u[y == 0, 1]), 1, atol=1e-5)
    assert (u[y == 0, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(u[y == 1, 0] - 1, u[y == 1, 1] - 0.5), 1, atol=1e-5)
    assert (u[y == 1, 1] <= 0.5 + 1e-6).all()
    assert x[:, 0].min() >= -1 - 1e-6 and x[:, 0].max() <= 1 + 1e-6


def test_bad_arguments():
    with pytest.raises(DataError, match="unknown toy dataset"):
        make_toy("swissroll")
    with pytest.raises(DataError, match="n_samples"):
        make_toy("xor", 1)
    with pytest.raises(DataError, match="noise"):
        make_toy("xor", 10, noise=-0.1)
