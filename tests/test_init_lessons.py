"""The two initialisations the lessons need: all-zero weights (symmetry) and N(0, 0.01²) (weight-init).

The engine trained from zero weights is checked against the numpy reference started from zeros
too, and both must keep every hidden unit identical; a random start must not.
"""
from __future__ import annotations

import numpy as np
import pytest

from reference import ReferenceNet

from playground.core.network import Network
from playground.core.spec import NetworkSpec, TrainConfig

SIZES = (3, 5, 4, 2)


def _spec(weight_init, bias_init="zeros"):
    return NetworkSpec.make(SIZES, "sigmoid", output_activation="sigmoid", cost="cross_entropy",
                            weight_init=weight_init, bias_init=bias_init, dtype="float64")


def _data(n=40, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, SIZES[0]))
    labels = (x[:, 0] * x[:, 1] > 0).astype(int)
    return np.ascontiguousarray(x), np.ascontiguousarray(np.eye(2)[labels])


def _train(net, x, y, epochs=3):
    cfg = TrainConfig(eta=0.8, batch_size=4, optimizer="sgd")
    order = np.arange(len(x), dtype=np.int64)
    for _ in range(epochs):
        net.train_chunk(x, y, order, 0, len(x) // 4, cfg, len(x), net.rng_state)


def test_zero_weights_train_like_the_reference_and_every_hidden_unit_stays_identical():
    net = Network(_spec("zeros"), seed=3)
    assert not np.any(net.params)
    ref = ReferenceNet(SIZES, "sigmoid", "sigmoid", "cross_entropy", net.weights, net.biases)
    x, y = _data()
    _train(net, x, y)
    order = np.arange(len(x), dtype=np.int64)
    for _ in range(3):
        ref.train_chunk(x, y, order, 0, len(x) // 4, batch_size=4, optimizer="sgd", n_train=len(x), eta=0.8)
    np.testing.assert_allclose(net.params, ref.params, rtol=1e-10, atol=1e-12)
    assert np.abs(net.weights[-1]).max() > 0.1           # it did learn something
    for W, b in zip(net.weights[:-1], net.biases[:-1]):  # every hidden layer: its units are one unit
        assert np.ptp(W, axis=0).max() == 0 and np.ptp(b) == 0
    # The output layer sees identical inputs, so its columns (one per hidden unit) are identical too.
    assert np.ptp(net.weights[-1], axis=1).max() == 0


def test_a_random_start_breaks_the_symmetry():
    net = Network(_spec("xavier_normal"), seed=3)
    x, y = _data()
    _train(net, x, y)
    assert np.ptp(net.weights[0], axis=0).min() > 1e-3


@pytest.mark.parametrize("bias_init", ["normal", "constant"])
def test_zero_weights_keep_their_biases(bias_init):
    net = Network(_spec("zeros", bias_init), seed=3)
    assert not any(np.any(W) for W in net.weights)
    assert all(np.any(b) for b in net.biases)


def test_small_weights_are_n_0_0_01():
    spec = NetworkSpec.make((784, 400, 10), "tanh", weight_init="small", bias_init="zeros")
    W = np.asarray(Network(spec, seed=2).weights[0], dtype=np.float64)
    assert abs(W.mean()) < 1e-4
    assert W.std() == pytest.approx(0.01, rel=0.01)
