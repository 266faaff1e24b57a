"""Five-point central-difference gradient check of Network.gradient (which runs the training kernel).

Relative error per parameter is |a - n| / max(|a| + |n|, FLOOR): the floor keeps gradients
that are zero up to rounding (|a|, |n| ~ 1e-10) from reporting a huge relative error, since a
central difference in float64 carries an absolute error of about 1e-12 (see numerical_gradient).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .errors import SpecError
from .network import Network
from .spec import COSTS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, NetworkSpec

FLOOR = 1e-4
EPS = 1e-4
# Keep every hidden z at least this far (> 2 eps * max|a|) from the relu/leaky_relu kink, so that moving one
# parameter by eps can never carry a unit across it (which would make the check meaningless).
KINK_MARGIN = 1e-2
KINKED = ("relu", "leaky_relu")      # activations whose derivative jumps at z = 0
DEFAULT_SIZES = (5, 4, 3, 3)
PATHS = ("loops", "blas")


def worst_of(errors) -> float:
    """The largest error, or NaN if any is NaN: max() may drop a NaN and so report a pass."""
    errors = list(errors)
    return math.nan if any(math.isnan(e) for e in errors) else max(errors)


def _rel_err(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), FLOOR)


def _as_float64(network: Network) -> Network:
    if network.dtype == np.float64:
        return network
    spec = replace(network.spec, dtype="float64")
    net = Network.from_params(spec, network.params.astype(np.float64), seed=network.seed)
    net.blas_min = network.blas_min
    return net


def numerical_gradient(network: Network, x, y, eps: float = EPS) -> np.ndarray:
    """d(mean cost)/d(params) by the five-point central difference, one parameter at a time.

    (f(p-2e) - 8 f(p-e) + 8 f(p+e) - f(p+2e)) / 12e has truncation error O(e^4), so e can be
    1e-4, where float64 rounding in f contributes only ~1e-12: plain (f(p+e) - f(p-e)) / 2e
    needs e ~ 1e-6 and then rounding alone gives relative errors around 1e-6.
    """
    p = network.params
    grad = np.empty(p.shape, dtype=np.float64)

    def f(i, value):
        p[i] = value
        return network.loss(x, y)

    for i in range(p.size):
        old = p[i]
        grad[i] = (f(i, old - 2 * eps) - 8 * f(i, old - eps) + 8 * f(i, old + eps) - f(i, old + 2 * eps)) / (12 * eps)
        p[i] = old
    return grad


def gradcheck(network: Network, x, y, eps: float = EPS):
    """Compare network.gradient(x, y) with central differences, in float64.

    Returns [(layer, worst_rel_err_weights, worst_rel_err_biases), ...]. A float32 network is
    checked through a float64 copy of its parameters (float32 rounding would swamp eps).
    """
    net = _as_float64(network)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    analytic = net.gradient(x, y)
    numeric = numerical_gradient(net, x, y, eps)
    err = _rel_err(analytic, numeric)
    out = []
    for l, (n_out, n_in) in enumerate(net.spec.layer_shapes):
        w0, b0 = int(net.w_off[l]), int(net.b_off[l])
        out.append((l, float(err[w0:w0 + n_out * n_in].max()), float(err[b0:b0 + n_out].max())))
    return out


@dataclass
class GradcheckResult:
    hidden: str
    output: str
    cost: str
    path: str                   # "loops" (hand-written kernel loops) or "blas" (np.dot in the kernel)
    layers: list                # [(layer, worst_w, worst_b)]

    @property
    def worst(self) -> float:
        return worst_of(e for _, w, b in self.layers for e in (w, b))

    def passes(self, tolerance: float) -> bool:
        return self.worst <= tolerance           # False for NaN

    def __str__(self):
        return f"{self.hidden:>10} -> {self.output:<7} {self.cost:<14} {self.path:<5} worst {self.worst:.2e}"


def data_away_from_kinks(net: Network, n: int, rng: np.random.Generator):
    """Random inputs whose hidden pre-activations stay KINK_MARGIN away from 0 in every layer whose
    activation has a kink there (relu, leaky_relu); smooth activations need no such care."""
    kinked = [l for l, a in enumerate(net.spec.hidden_activations) if a in KINKED]
    x = rng.standard_normal((n, net.spec.sizes[0]))
    if not kinked:
        return x
    for _ in range(200):
        zs, _ = net.forward_all(x)
        if all(np.abs(zs[l]).min() > KINK_MARGIN for l in kinked):
            return x
        x = rng.standard_normal((n, net.spec.sizes[0]))
    units = sum(net.spec.sizes[1 + l] for l in kinked)
    names = " and ".join(sorted({net.spec.hidden_activations[l] for l in kinked}))
    raise SpecError(f"Could not find inputs that keep all {units:,} {names} units away from the kink at 0, "
                    f"so central differences would be meaningless there. Check a network with narrower "
                    f"{names} layers (e.g. 5,4,3,3).")


def random_targets(spec: NetworkSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    k = spec.sizes[-1]
    if spec.output_activation == "linear":
        return rng.standard_normal((n, k))
    y = np.zeros((n, k))
    y[np.arange(n), rng.integers(0, k, n)] = 1.0
    return y


def gradcheck_spec(spec: NetworkSpec, path: str, n_samples: int = 7, seed: int = 1,
                   eps: float = EPS) -> GradcheckResult:
    """gradcheck a fresh network of ``spec`` on random data, through one kernel code path."""
    rng = np.random.default_rng(seed)
    net = Network(spec, seed=seed)
    net.blas_min = 0 if path == "blas" else 1 << 62
    x = data_away_from_kinks(net, n_samples, rng)
    y = random_targets(spec, n_samples, rng)
    acts = spec.hidden_activations
    hidden = acts[0] if len(set(acts)) == 1 else ",".join(acts) or "-"
    return GradcheckResult(hidden, spec.output_activation, spec.cost, path, gradcheck(net, x, y, eps))


def gradcheck_grid(sizes=DEFAULT_SIZES, n_samples: int = 7, seed: int = 1, eps: float = EPS,
                   paths=PATHS) -> list[GradcheckResult]:
    """gradcheck over every hidden activation x output activation x cost the spec accepts,
    through both kernel code paths; combinations the spec refuses are skipped."""
    results = []
    for hidden in HIDDEN_ACTIVATIONS:
        for output in OUTPUT_ACTIVATIONS:
            for cost in COSTS:
                try:
                    spec = NetworkSpec.make(sizes, hidden, output_activation=output, cost=cost, dtype="float64")
                except SpecError:
                    continue
                results += [gradcheck_spec(spec, path, n_samples, seed, eps) for path in paths]
    return results
