"""Why a network decided: the contribution of each input pixel to a class score, and what the
hidden units did, both computed through the network itself (no separate model).

The class score is the output unit's weighted input z (before sigmoid or softmax), so a pixel's
evidence is not squashed away once the network is sure. Evidence is "input x gradient" in pixel
space: pixel * dz/dpixel. A pixel without ink contributes nothing, a stroke that argues for the
class is positive, one that argues against it negative; the map sums (with the biases' share)
to the score of a piecewise-linear network.
"""
from __future__ import annotations

import numpy as np


def forward(network, x):
    """(zs, activations) for one input row x through the network's own forward pass."""
    return network.forward_all(np.asarray(x).reshape(1, -1))


def _prime(activation, z: np.ndarray) -> np.ndarray:
    """The activation's derivative, in forms that stay above zero for saturated units: a trained
    network's tanh or sigmoid units often sit at |z| > 20, where 1 - tanh(z)^2 rounds to 0 and
    the whole evidence map would vanish although the network still leans on some pixels."""
    name = activation.name
    if name == "tanh":
        e = np.exp(-2.0 * np.abs(z))
        return 4.0 * e / (1.0 + e) ** 2
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return e / (1.0 + e) ** 2
    return activation.prime(z)


def score_gradient(network, zs, classes) -> np.ndarray:
    """d z_out[c] / d input for each class c in ``classes``: (len(classes), n_in), by
    backpropagating a unit vector from the output's weighted input."""
    classes = np.atleast_1d(np.asarray(classes, np.int64))
    n_out = network.spec.sizes[-1]
    delta = np.zeros((len(classes), n_out), np.float64)
    delta[np.arange(len(classes)), classes] = 1.0
    for l in range(network.n_layers - 1, -1, -1):
        grad_a = delta @ np.asarray(network.weights[l], np.float64)        # d z_c / d a_l
        if l == 0:
            return grad_a
        delta = grad_a * _prime(network.hidden[l - 1], np.asarray(zs[l - 1], np.float64))
    raise AssertionError("unreachable")


def evidence(network, zs, pixels, classes, input_scale=1.0) -> np.ndarray:
    """Input x gradient in pixel space for each class: (len(classes), n_in).

    ``input_scale`` is d(network input)/d(pixel) (1/std for a standardised network), so the
    map is about pixels as drawn, and a background pixel (0) has no evidence either way.
    """
    g = score_gradient(network, zs, classes) * np.asarray(input_scale, np.float64)
    return np.asarray(pixels, np.float64).reshape(1, -1) * g


def hidden_activations(acts) -> list[np.ndarray]:
    """Each hidden layer's activations for the single input of ``forward``."""
    return [np.asarray(a[0]) for a in acts[1:-1]]
