"""End-to-end: the engine actually learns XOR, two spirals and (reduced) MNIST.

Each problem is trained with Network.train_chunk in plain epoch loops, shuffling with a
fixed seed, so a failure there is the engine's and not a trainer's. The MNIST recipe is
then run once more through Trainer.run, the loop the GUI and the CLI use.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from playground.core.network import Network
from playground.core.spec import NetworkSpec, TrainConfig

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def train_epochs(net, x, y, cfg, epochs, *, seed=0, n_train=None, after_epoch=None):
    """Shuffled mini-batch epochs, one train_chunk call per epoch."""
    x = np.ascontiguousarray(x, net.dtype)
    y = np.ascontiguousarray(y, net.dtype)
    rng = np.random.default_rng(seed)
    n = len(x)
    n_batches = -(-n // cfg.batch_size)
    for epoch in range(epochs):
        order = rng.permutation(n).astype(np.int64)
        stats = net.train_chunk(x, y, order, 0, n_batches, cfg, n_train or n, net.rng_state)
        assert stats.finite, f"non-finite at epoch {epoch}"
        assert stats.n_samples == n
        if after_epoch is not None and after_epoch(epoch):
            return epoch
    return epochs


def accuracy(net, x, labels):
    out = net.forward(np.ascontiguousarray(x, net.dtype))
    pred = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0.5).astype(int)
    return float(np.mean(pred == labels))


# ---------------------------------------------------------------------------- XOR
def test_xor_2_4_1():
    """The four XOR corners, relu hidden, sigmoid output, quadratic cost, as in the TF example.

    With only four relu units a few seeds start with too many dead units and never separate
    the corners (seeds 3, 6, 8 of 1..40 with the current init); the seed is fixed so the test
    checks that training works, not that every initialisation is lucky.
    """
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    labels = np.array([0, 1, 1, 0])
    y = labels[:, None].astype(np.float64)
    spec = NetworkSpec.make((2, 4, 1), "relu", output_activation="sigmoid", cost="quadratic",
                            weight_init="he", bias_init="constant", bias_value=0.1, dtype="float64")
    net = Network(spec, seed=1)
    cfg = TrainConfig(eta=0.5, batch_size=4, optimizer="sgd")
    train_epochs(net, x, y, cfg, 1000, seed=1)
    out = net.forward(x)[:, 0]
    assert accuracy(net, x, labels) == 1.0, out
    assert np.all(np.abs(out - labels) < 0.4), out


# ---------------------------------------------------------------------------- spirals
def spirals(n, rng):
    """Two interleaved 1.5-turn spirals (fallback if playground.core.data.toy is missing)."""
    labels = np.repeat([0, 1], n // 2)
    t = rng.uniform(0.0, 1.0, n)
    r = 0.05 + 0.9 * t
    angle = 3.0 * np.pi * t + np.pi * labels
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), labels


def test_two_spirals():
    try:
        from playground.core.data.toy import make_toy
        x, labels = make_toy("spirals", n_samples=400, noise=0.0, seed=1)
    except ImportError:
        x, labels = spirals(400, np.random.default_rng(1))
    y = np.eye(2)[labels]
    spec = NetworkSpec.make((2, 32, 32, 2), "tanh", output_activation="softmax", cost="log_likelihood",
                            weight_init="xavier_normal", dtype="float64")
    net = Network(spec, seed=1)
    cfg = TrainConfig(eta=0.01, batch_size=16, optimizer="adam")
    epochs = train_epochs(net, x, y, cfg, 400, seed=2,
                          after_epoch=lambda e: e % 10 == 9 and accuracy(net, x, labels) >= 0.98)
    acc = accuracy(net, x, labels)
    assert acc >= 0.95, f"train accuracy {acc:.3f} after {epochs} epochs"


# ---------------------------------------------------------------------------- MNIST
def load_mnist():
    try:
        from playground.core.data.idx import read_idx
    except ImportError:
        read_idx = _read_idx
    files = {k: MNIST_DIR / f"{k}-idx{3 if 'images' in k else 1}-ubyte.gz"
             for k in ("train-images", "train-labels", "t10k-images", "t10k-labels")}
    if not all(p.exists() for p in files.values()):
        pytest.skip(f"reduced MNIST not found in {MNIST_DIR}")
    x_train = read_idx(files["train-images"]).reshape(-1, 784).astype(np.float32) / 255
    x_test = read_idx(files["t10k-images"]).reshape(-1, 784).astype(np.float32) / 255
    return (x_train, read_idx(files["train-labels"]).astype(np.int64),
            x_test, read_idx(files["t10k-labels"]).astype(np.int64))


def _read_idx(path):
    import gzip

    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = np.frombuffer(raw[4:4 + 4 * ndim], ">u4").astype(int)
    return np.frombuffer(raw[4 + 4 * ndim:], np.uint8).reshape(dims)


def test_mnist_784_30_10_reaches_89_percent_in_5_epochs():
    """Nielsen ch.3: sigmoid, cross-entropy, lambda=5 (over n = 5000 here), eta=0.5, batch 10, float32."""
    x_train, y_train, x_test, y_test = load_mnist()
    assert len(x_train) == 5000 and len(x_test) == 10000
    assert np.all(np.diff(y_train) >= 0)  # sorted by class: without shuffling, this would fail
    spec = NetworkSpec.make((784, 30, 10), "sigmoid", output_activation="sigmoid", cost="cross_entropy",
                            dtype="float32")
    net = Network(spec, seed=1)
    assert net.params.dtype == np.float32
    cfg = TrainConfig(eta=0.5, batch_size=10, l2=5.0, optimizer="sgd")
    accs = []
    train_epochs(net, x_train, np.eye(10)[y_train], cfg, 5, seed=1, n_train=len(x_train),
                 after_epoch=lambda e: accs.append(accuracy(net, x_test, y_test)) and False)
    assert max(accs) >= 0.89, accs


def test_mnist_through_the_trainer():
    """The same recipe through Trainer.run (the loop the GUI and CLI use)."""
    from playground.core import trainer as trainer_mod
    from playground.core.data import dataset as dataset_mod

    if not MNIST_DIR.exists():
        pytest.skip(f"reduced MNIST not found in {MNIST_DIR}")
    ds = dataset_mod.load_dataset("mnist", data_dir=MNIST_DIR, validation_size=0, allow_download=False,
                                  seed=1)
    assert len(ds.x_train) == 5000 and len(ds.x_test) == 10000
    spec = NetworkSpec.make((784, 30, 10), "sigmoid", output_activation="sigmoid", cost="cross_entropy",
                            dtype="float32")
    net = Network(spec, seed=1)
    cfg = TrainConfig(eta=0.5, batch_size=10, l2=5.0, optimizer="sgd", epochs=5, seed=1)
    trainer = trainer_mod.Trainer(net, ds, cfg)
    assert trainer.n_train == 5000  # lambda / n uses the training-set size
    state = trainer.run()
    assert state == "done", (state, trainer.message)
    accs = [r.test_accuracy for r in trainer.history]
    assert len(accs) == 5 and max(accs) >= 0.89, accs
