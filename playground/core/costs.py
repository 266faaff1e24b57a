"""Cost functions as strategy objects, following Nielsen's network2.py.

Each cost has ``fn(a, y)`` (per-sample cost, summed over output units; rows are samples). The
kernels use the integer ``code`` and implement the cost and its output-layer delta; this numpy
``fn`` is for readable checks and for ``Network.loss``.
"""
from __future__ import annotations

import numpy as np

QUADRATIC, CROSS_ENTROPY, LOG_LIKELIHOOD = range(3)
# Keep a away from 0 and 1 inside logs (Nielsen uses nan_to_num; a clip is equivalent and
# also keeps the gradient finite). Always evaluated in float64: 1 - 1e-12 rounds to 1 in float32.
CLIP = 1e-12


def _clip(a):
    return np.clip(np.asarray(a, dtype=np.float64), CLIP, 1.0 - CLIP)


class Cost:
    name = ""
    code = -1

    def fn(self, a, y):
        """Per-sample cost, shape (n,) for (n, n_out) inputs (or a scalar for 1-D)."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Quadratic(Cost):
    name, code = "quadratic", QUADRATIC

    def fn(self, a, y):
        return 0.5 * np.sum((np.asarray(a, dtype=np.float64) - y) ** 2, axis=-1)


class CrossEntropy(Cost):
    name, code = "cross_entropy", CROSS_ENTROPY

    def fn(self, a, y):
        a = _clip(a)
        return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1)


class LogLikelihood(Cost):
    name, code = "log_likelihood", LOG_LIKELIHOOD

    def fn(self, a, y):
        return -np.sum(y * np.log(_clip(a)), axis=-1)


COSTS: dict[str, Cost] = {c.name: c for c in (Quadratic(), CrossEntropy(), LogLikelihood())}


def get(name: str) -> Cost:
    return COSTS[name]
