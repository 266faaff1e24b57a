"""A plain vectorised numpy trainer: the baseline the engine is measured against.

Written from the textbook maths, not from the engine: per mini-batch one matrix product
per layer forward and two backward, then an SGD step. float32 throughout. Only the two
output/cost pairs the benchmark uses are supported, both with the exact delta a - y
(sigmoid + cross-entropy, softmax + log-likelihood).
"""
from __future__ import annotations

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


HIDDEN = {
    # name: (activation, derivative expressed through z and a, which the forward pass kept)
    "sigmoid": (_sigmoid, lambda z, a: a * (1.0 - a)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0.0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
}
OUTPUT = {"sigmoid": _sigmoid, "softmax": _softmax}


class NumpyMLP:
    """weights[l] is (n_out, n_in) like the engine's, so parameters copy across unchanged."""

    def __init__(self, weights, biases, hidden: str, output: str, eta: float, dtype=np.float32):
        self.eta = eta
        self.weights = [np.array(w, dtype, order="C") for w in weights]
        self.biases = [np.array(b, dtype) for b in biases]
        self.hidden = HIDDEN[hidden]
        self.output = OUTPUT[output]

    def __repr__(self):
        sizes = [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]
        return f"NumpyMLP({','.join(map(str, sizes))}, eta={self.eta})"

    def forward(self, x):
        zs, activations = [], [x]
        a = x
        last = len(self.weights) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w.T + b
            a = self.output(z) if l == last else self.hidden[0](z)
            zs.append(z)
            activations.append(a)
        return zs, activations

    def sgd_step(self, x, y, eta: float) -> None:
        """One mini-batch: mean gradient of the cost, p -= eta * grad."""
        zs, activations = self.forward(x)
        scale = eta / len(x)
        delta = activations[-1] - y                       # exact for both supported output/cost pairs
        for l in range(len(self.weights) - 1, -1, -1):
            w = self.weights[l]
            grad_w = delta.T @ activations[l]
            grad_b = delta.sum(axis=0)
            if l > 0:                                      # before w changes
                delta = (delta @ w) * self.hidden[1](zs[l - 1], activations[l])
            w -= scale * grad_w
            self.biases[l] -= scale * grad_b

    def train(self, x, y, order, batch: int) -> None:
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            self.sgd_step(x[idx], y[idx], self.eta)

    def params(self) -> np.ndarray:
        """Flat [W0, b0, W1, b1, ...], the engine's layout."""
        return np.concatenate([p.ravel() for wb in zip(self.weights, self.biases) for p in wb])
