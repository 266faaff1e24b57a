"""Two-class 2-D toy problems, generated on the spot (no download), in the spirit of
the TensorFlow Playground: xor, circles, gaussians, spirals, moons.

Every generator takes ``(n, noise, rng)`` and returns ``x`` (n, 2) float32 with points
roughly inside [-1, 1]^2 and ``y`` (n,) int64 labels 0/1, classes balanced, rows in
random order (so a dataset can split off its test set by slicing). ``noise`` is the
standard deviation of Gaussian jitter added to the points, in the same units.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import DataError

DEFAULT_N_SAMPLES = 1000
# Far beyond what a 2-D toy needs; above it a typo (an extra few zeros) would generate gigabytes.
MAX_N_SAMPLES = 1_000_000


def _labels(n: int) -> np.ndarray:
    y = np.zeros(n, np.int64)
    y[n // 2:] = 1
    return y


def _finish(x: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator):
    x = x + rng.normal(0.0, noise, x.shape) if noise > 0 else x
    order = rng.permutation(len(y))
    return np.ascontiguousarray(x[order], np.float32), y[order]


def xor(n: int, noise: float, rng: np.random.Generator):
    """Uniform points in the square; class 1 where the signs of the two coordinates differ."""
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(np.int64)   # label before jitter: noise blurs the edge
    return _finish(x, y, noise, rng)


def circles(n: int, noise: float, rng: np.random.Generator):
    """Class 0 on a ring of radius 0.7..1.0, class 1 in a disc of radius 0.5 inside it."""
    y = _labels(n)
    r = np.where(y == 1, 0.5 * np.sqrt(rng.uniform(0, 1, n)), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    return _finish(np.column_stack([r * np.cos(angle), r * np.sin(angle)]), y, noise, rng)


def gaussians(n: int, noise: float, rng: np.random.Generator):
    """Two round Gaussian blobs (std 0.2) centred at (-0.5, -0.5) and (0.5, 0.5)."""
    y = _labels(n)
    centres = np.where(y[:, None] == 1, 0.5, -0.5)
    return _finish(centres + rng.normal(0.0, 0.2, (n, 2)), y, noise, rng)


def spirals(n: int, noise: float, rng: np.random.Generator):
    """Two interleaved Archimedean spirals of 1.5 turns, the second rotated by half a turn."""
    y = _labels(n)
    t = rng.uniform(0.0, 1.0, n)
    r = 0.05 + 0.9 * t
    angle = 3.0 * np.pi * t + np.pi * y
    return _finish(np.column_stack([r * np.cos(angle), r * np.sin(angle)]), y, noise, rng)


def moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (as scikit-learn's make_moons), rescaled into [-1, 1] x [-0.5, 0.5]."""
    y = _labels(n)
    t = rng.uniform(0.0, np.pi, n)
    x = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))
    x = (x - [0.5, 0.25]) / 1.5
    return _finish(x, y, noise, rng)


TOY_GENERATORS = {"xor": xor, "circles": circles, "gaussians": gaussians, "spirals": spirals, "moons": moons}


def make_toy(name: str, n_samples: int = DEFAULT_N_SAMPLES, noise: float = 0.1, seed: int = 1):
    """Generate toy problem ``name``; the same (name, n_samples, noise, seed) gives the same arrays."""
    if name not in TOY_GENERATORS:
        raise DataError(f"unknown toy dataset {name!r}; choose one of {', '.join(TOY_GENERATORS)}")
    if int(n_samples) != n_samples or not 2 <= n_samples <= MAX_N_SAMPLES:
        raise DataError(f"n_samples must be a whole number from 2 to {MAX_N_SAMPLES:,}, not {n_samples!r}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not (math.isfinite(noise) and noise >= 0):
        raise DataError(f"noise must be a finite number >= 0, not {noise!r}")
    return TOY_GENERATORS[name](int(n_samples), float(noise), np.random.default_rng(seed))
