"""Cost functions as strategy objects, following Nielsen's network2.py.

Each cost has ``fn(a, y)`` (per-sample cost, summed over output units; rows are samples) and
``delta(z, a, y)`` = dC/dz of the output layer for a given output activation. The kernels use
the integer ``code`` and implement the same maths; these numpy versions are for readable checks
and for ``Network.loss``.
"""
from __future__ import annotations

import numpy as np

from . import activations as acts

QUADRATIC, CROSS_ENTROPY, LOG_LIKELIHOOD = range(3)
# Keep a away from 0 and 1 inside logs (Nielsen uses nan_to_num; a clip is equivalent and
# also keeps the gradient finite). Always evaluated in float64: 1 - 1e-12 rounds to 1 in float32.
CLIP = 1e-12


def _clip(a):
    return np.clip(np.asarray(a, dtype=np.float64), CLIP, 1.0 - CLIP)


def _softmax_jvp(a, g):
    """delta_j = a_j (g_j - sum_k a_k g_k): softmax Jacobian times dC/da."""
    return a * (g - np.sum(a * g, axis=-1, keepdims=True))


class Cost:
    name = ""
    code = -1

    def fn(self, a, y):
        """Per-sample cost, shape (n,) for (n, n_out) inputs (or a scalar for 1-D)."""
        raise NotImplementedError

    def dcost_da(self, a, y):
        raise NotImplementedError

    def delta(self, z, a, y, output="sigmoid"):
        """dC/dz of the output layer.

        ``z`` is unused by the shortcut forms (a - y) but kept so every cost has the same
        signature, as in Nielsen's network2.py; the general form needs it for act'(z).
        """
        out = acts.get(output)
        if (output, self.name) in SHORTCUTS:
            return np.asarray(a) - y
        g = self.dcost_da(a, y)
        if out.code == acts.SOFTMAX:
            return _softmax_jvp(np.asarray(a, dtype=np.float64), g)
        return out.prime(z) * g

    def __repr__(self):
        return f"{type(self).__name__}()"


class Quadratic(Cost):
    name, code = "quadratic", QUADRATIC

    def fn(self, a, y):
        return 0.5 * np.sum((np.asarray(a, dtype=np.float64) - y) ** 2, axis=-1)

    def dcost_da(self, a, y):
        return np.asarray(a, dtype=np.float64) - y


class CrossEntropy(Cost):
    name, code = "cross_entropy", CROSS_ENTROPY

    def fn(self, a, y):
        a = _clip(a)
        return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1)

    def dcost_da(self, a, y):
        a = _clip(a)
        return -y / a + (1 - y) / (1 - a)


class LogLikelihood(Cost):
    name, code = "log_likelihood", LOG_LIKELIHOOD

    def fn(self, a, y):
        return -np.sum(y * np.log(_clip(a)), axis=-1)

    def dcost_da(self, a, y):
        return -y / _clip(a)


# (output activation, cost) pairs whose dC/dz simplifies exactly to a - y.
SHORTCUTS = {("sigmoid", "cross_entropy"), ("softmax", "log_likelihood"), ("linear", "quadratic")}

COSTS: dict[str, Cost] = {c.name: c for c in (Quadratic(), CrossEntropy(), LogLikelihood())}


def get(name: str) -> Cost:
    return COSTS[name]
