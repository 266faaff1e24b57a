"""Read-only measurements of a network: network2's loss/accuracy monitors and the probe histograms.

Nothing here trains or changes parameters, so the trainer can call these between chunks and the
GUI can call them on a paused network. Everything is plain numpy on top of Network.forward /
Network.forward_all and the cost strategies, evaluated in batches so a 50k-sample split never needs one
huge activation matrix.
"""
from __future__ import annotations

import numpy as np

from . import costs
from .snapshot import LayerHistogram

EVAL_BATCH = 2000       # rows per forward pass when evaluating a whole split
HIST_BINS = 40
SATURATION = 0.02       # a unit is saturated where |act'(z)| < 2% of its maximum
RELU_LIKE = ("relu",)   # only relu outputs exactly 0 over a whole region; leaky/elu never die completely


def predictions_correct(a: np.ndarray, labels: np.ndarray) -> int:
    """How many rows of output ``a`` pick the right label.

    Several outputs: argmax (network2's accuracy). One output (sigmoid or linear): the answer is
    class 1 when the output exceeds 0.5, i.e. the output is read as P(class 1) or as a 0/1 target.
    """
    if a.shape[1] == 1:
        guess = (a[:, 0] > 0.5).astype(np.int64)
    else:
        guess = np.argmax(a, axis=1)
    return int(np.count_nonzero(guess == labels))


def regularisation(network, l2: float, l1: float, n: int) -> float:
    """network2's total_cost term 0.5*(lambda/n)*sum ||w||^2, plus (l1/n)*sum |w| when L1 is on.

    As in network2, ``n`` is the size of the split being evaluated, so the numbers match the
    book's plots (training uses n_train for the weight decay itself).
    """
    if n <= 0 or (not l2 and not l1):
        return 0.0
    total = 0.0
    for W in network.weights:
        w = W.astype(np.float64, copy=False)
        if l2:
            total += 0.5 * (l2 / n) * float(np.dot(w.ravel(), w.ravel()))
        if l1:
            total += (l1 / n) * float(np.abs(w).sum())
    return total


def evaluate_split(network, x: np.ndarray, targets: np.ndarray, labels: np.ndarray,
                   l2: float = 0.0, l1: float = 0.0, batch: int = EVAL_BATCH):
    """(loss, accuracy) over a whole split; (None, None) for an empty split."""
    n = len(x)
    if n == 0:
        return None, None
    cost_sum, correct = split_sums(network, x, targets, labels, 0, n, batch)
    return split_result(network, cost_sum, correct, n, l2, l1)


def split_sums(network, x, targets, labels, lo: int, hi: int, batch: int = EVAL_BATCH) -> tuple[float, int]:
    """(summed cost, correct predictions) over rows lo:hi: a split evaluated piece by piece."""
    cost = costs.get(network.spec.cost)
    cost_sum = 0.0
    correct = 0
    for a0 in range(lo, hi, batch):
        a1 = min(a0 + batch, hi)
        a = np.asarray(network.forward(x[a0:a1]))
        cost_sum += float(np.sum(cost.fn(a, targets[a0:a1])))
        correct += predictions_correct(a, labels[a0:a1])
    return cost_sum, correct


def split_result(network, cost_sum: float, correct: int, n: int, l2: float = 0.0, l1: float = 0.0):
    """(loss, accuracy) of a whole split from its sums."""
    return cost_sum / n + regularisation(network, l2, l1, n), correct / n


def _histogram(values: np.ndarray):
    v = values[np.isfinite(values)].astype(np.float64, copy=False)
    if v.size == 0:
        v = np.zeros(1)
    counts, edges = np.histogram(v, bins=HIST_BINS)
    return counts.astype(np.int64), edges


def _saturated_fraction(act: str, a: np.ndarray) -> float:
    """Share of (sample, unit) entries where the derivative is below 2% of its maximum."""
    a = a.astype(np.float64, copy=False)
    if act == "sigmoid":
        prime = a * (1.0 - a) / 0.25          # sigma' = a(1-a), max 1/4 at z = 0
    elif act == "tanh":
        prime = 1.0 - a * a                   # tanh' = 1 - a^2, max 1
    else:
        return 0.0
    return float(np.mean(prime < SATURATION)) if prime.size else 0.0


def _dead_fraction(act: str, a: np.ndarray) -> float:
    """Share of units that output exactly 0 for every probe sample (relu only)."""
    if act not in RELU_LIKE or a.size == 0:
        return 0.0
    return float(np.mean(np.all(a <= 0.0, axis=0)))


def _zero_fraction(act: str, a: np.ndarray) -> float:
    """Share of (sample, unit) entries exactly 0 (relu only): one bar would hide every other value."""
    if act not in RELU_LIKE or a.size == 0:
        return 0.0
    return float(np.mean(a == 0.0))


def layer_histograms(network, x_probe: np.ndarray) -> list[LayerHistogram]:
    """Per weight layer: histograms of z and a on the probe batch, with dead and saturated shares."""
    spec = network.spec
    acts = list(spec.hidden_activations) + [spec.output_activation]
    zs, activations = network.forward_all(x_probe)
    activations = list(activations)[-len(zs):]      # forward_all may include the input as activations[0]
    out = []
    for layer, (act, z, a) in enumerate(zip(acts, zs, activations)):
        z, a = np.asarray(z), np.asarray(a)
        z_counts, z_edges = _histogram(z.ravel())
        a_counts, a_edges = _histogram(a.ravel())
        out.append(LayerHistogram(
            layer=layer, z_counts=z_counts, z_edges=z_edges, a_counts=a_counts, a_edges=a_edges,
            dead_fraction=_dead_fraction(act, a), saturated_fraction=_saturated_fraction(act, a),
            zero_fraction=_zero_fraction(act, a),
        ))
    return out


def weight_norms(network) -> np.ndarray:
    """Frobenius norm of each weight matrix, float64 (inf/nan pass through for divergence checks)."""
    out = np.empty(len(network.weights))
    with np.errstate(over="ignore", invalid="ignore"):
        for i, W in enumerate(network.weights):
            out[i] = np.linalg.norm(W.ravel())   # network dtype: no 700k-element float64 copy per chunk
    return out
