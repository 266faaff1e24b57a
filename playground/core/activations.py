"""Activation functions as small strategy objects.

Each has a ``name`` (the canonical spelling in spec.py), an integer ``code`` that the numba
kernels branch on (kernels cannot take Python objects), and numpy ``fn(z)`` / ``prime(z)``
used for probes, histograms and readable checks. The kernels re-implement the same formulas;
tests compare the two.
"""
from __future__ import annotations

import numpy as np

# Kernel codes. Keep in sync with kernels.py (it imports these names).
SIGMOID, TANH, RELU, LEAKY_RELU, ELU, SOFTPLUS, LINEAR, SOFTMAX = range(8)
LEAKY_SLOPE = 0.01


def _sigmoid(z):
    # Split by sign so exp never overflows: for z < 0 use e^z / (1 + e^z).
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


class Activation:
    name = ""
    code = -1
    output_only = False
    # The values fn can take, None where unbounded: plots of activations use it as a fixed axis.
    value_range: tuple[float | None, float | None] = (None, None)

    def fn(self, z):
        raise NotImplementedError

    def prime(self, z):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    name, code = "sigmoid", SIGMOID
    value_range = (0.0, 1.0)

    def fn(self, z):
        return _sigmoid(z)

    def prime(self, z):
        s = _sigmoid(z)
        return s * (1 - s)


class Tanh(Activation):
    name, code = "tanh", TANH
    value_range = (-1.0, 1.0)

    def fn(self, z):
        return np.tanh(z)

    def prime(self, z):
        return 1 - np.tanh(z) ** 2


class ReLU(Activation):
    name, code = "relu", RELU
    value_range = (0.0, None)

    def fn(self, z):
        return np.maximum(z, 0)

    def prime(self, z):
        # Derivative taken as 0 at the kink z == 0, as in the kernels and tests/reference.py.
        return (np.asarray(z) > 0).astype(np.asarray(z).dtype)


class LeakyReLU(Activation):
    name, code = "leaky_relu", LEAKY_RELU

    def fn(self, z):
        return np.where(z > 0, z, LEAKY_SLOPE * z)

    def prime(self, z):
        z = np.asarray(z)
        return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


class Elu(Activation):
    name, code = "elu", ELU
    value_range = (-1.0, None)

    def fn(self, z):
        z = np.asarray(z)
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))

    def prime(self, z):
        z = np.asarray(z)
        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))).astype(z.dtype)


class Softplus(Activation):
    name, code = "softplus", SOFTPLUS
    value_range = (0.0, None)

    def fn(self, z):
        # log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))

    def prime(self, z):
        return _sigmoid(z)


class Linear(Activation):
    name, code = "linear", LINEAR

    def fn(self, z):
        return np.asarray(z).copy()

    def prime(self, z):
        return np.ones_like(z)


class Softmax(Activation):
    """Output layer only: its derivative is a Jacobian, so ``prime`` is not elementwise.

    ``prime`` returns the diagonal (a * (1 - a)) for histograms only; the backward pass in
    the kernels uses the full Jacobian-vector product (see costs.py / kernels.py).
    """

    name, code, output_only = "softmax", SOFTMAX, True
    value_range = (0.0, 1.0)

    def fn(self, z):
        z = np.asarray(z)
        e = np.exp(z - z.max(axis=-1, keepdims=True))  # subtract the row max: no overflow
        return e / e.sum(axis=-1, keepdims=True)

    def prime(self, z):
        a = self.fn(z)
        return a * (1 - a)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Elu(), Softplus(), Linear(), Softmax())
}


def get(name: str) -> Activation:
    return ACTIVATIONS[name]
