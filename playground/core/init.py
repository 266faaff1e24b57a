"""Initial weights and biases.

Values are drawn in float64 from ``numpy.random.default_rng(seed)`` and then cast, so float32
and float64 networks built from the same seed start from the same (rounded) values.
"""
from __future__ import annotations

import math

import numpy as np

from .spec import NetworkSpec


def weight_sample(kind: str, n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    shape = (n_out, n_in)
    if kind == "large":            # Nielsen ch.1: N(0, 1), saturates sigmoids in wide layers
        return rng.standard_normal(shape)
    if kind == "small":            # N(0, 0.01^2): every layer shrinks the signal, deep activations collapse
        return rng.standard_normal(shape) * 0.01
    if kind == "zeros":            # every unit of a layer starts identical: the symmetry lesson
        return np.zeros(shape)
    if kind == "default":          # Nielsen ch.3: N(0, 1/n_in)
        return rng.standard_normal(shape) / math.sqrt(n_in)
    if kind == "xavier_normal":    # Glorot: N(0, 2/(n_in+n_out))
        return rng.standard_normal(shape) * math.sqrt(2.0 / (n_in + n_out))
    if kind == "xavier_uniform":   # Glorot: U(-sqrt(6/(n_in+n_out)), +...)
        lim = math.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-lim, lim, shape)
    if kind == "he":               # He: N(0, 2/n_in), keeps ReLU activations' variance
        return rng.standard_normal(shape) * math.sqrt(2.0 / n_in)
    raise ValueError(f"unknown weight init {kind!r}")


def bias_sample(kind: str, n_out: int, value: float, rng: np.random.Generator) -> np.ndarray:
    if kind == "normal":
        return rng.standard_normal(n_out)
    if kind == "zeros":
        return np.zeros(n_out)
    if kind == "constant":         # a small positive constant keeps ReLU units alive at the start
        return np.full(n_out, float(value))
    raise ValueError(f"unknown bias init {kind!r}")


def init_params(spec: NetworkSpec, rng) -> np.ndarray:
    """Initial parameters as one float64 flat vector in the Network layout [W0, b0, W1, b1, ...].

    ``rng`` is a seed or a ``numpy.random.Generator``; layers are drawn in order, weights
    before biases, so the same seed always gives the same network. The caller casts the
    result into its own flat buffer (float32 or float64).
    """
    rng = np.random.default_rng(rng)
    parts = []
    for n_out, n_in in spec.layer_shapes:
        parts.append(weight_sample(spec.weight_init, n_out, n_in, rng).ravel())
        parts.append(bias_sample(spec.bias_init, n_out, spec.bias_value, rng))
    return np.concatenate(parts)
