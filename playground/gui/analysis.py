"""Test-set analysis for image datasets (confusion matrix, misclassified examples).

It runs in a background thread (a forward pass over 10,000 test images takes tens of ms, too
long for the GUI thread); it only reads the network's parameters, never writes them. Reads may be
torn while the trainer updates weights, which is fine for a picture that refreshes every epoch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_MISTAKES = 24


@dataclass(frozen=True)
class TestAnalysis:
    confusion: np.ndarray         # (k, k) counts, rows = true class, columns = predicted
    accuracy: float
    mistakes: list                # [(index, true, [(class, prob) x3])]


def probabilities(out: np.ndarray) -> np.ndarray:
    out = np.clip(np.nan_to_num(np.asarray(out, np.float64)), 0.0, None)
    s = out.sum(axis=1, keepdims=True)
    return np.divide(out, s, out=np.full_like(out, 1.0 / out.shape[1]), where=s > 0)


def analyse(network, x_test: np.ndarray, y_test: np.ndarray, n_classes: int) -> TestAnalysis:
    out = network.forward(x_test)
    prob = probabilities(out)
    pred = prob.argmax(axis=1)
    conf = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(conf, (y_test, pred), 1)
    wrong = np.flatnonzero(pred != y_test)
    # The most confident mistakes are the instructive ones.
    wrong = wrong[np.argsort(-prob[wrong, pred[wrong]])][:MAX_MISTAKES]
    mistakes = []
    for i in wrong:
        top = np.argsort(-prob[i])[:3]
        mistakes.append((int(i), int(y_test[i]), [(int(k), float(prob[i, k])) for k in top]))
    acc = float((pred == y_test).mean()) if len(y_test) else float("nan")
    return TestAnalysis(conf, acc, mistakes)
