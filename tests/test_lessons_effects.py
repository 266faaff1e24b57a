"""Each lesson, trained on its short budget exactly as shipped, shows the effect it is there for.

The MNIST lessons train on the reduced set beside the repository (../shared/data/mnist) and are
tested on its first 2,000 test digits instead of 10,000: the same runs and mini-batches, a
fifth of the evaluation time. Figures quoted beside each assertion were measured on the full
10,000 test digits (nn-playground lesson NAME).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from playground.core import lessons
from playground.core.compare import run_twins

TEST_ROWS = 2000
_cache: dict = {}


def _dataset(spec):
    key = (spec.data, spec.data_seed)
    if key not in _cache:
        ds = spec.load_dataset()
        if len(ds.y_test) > TEST_ROWS:
            ds = dataclasses.replace(ds, x_test=ds.x_test[:TEST_ROWS], y_test=ds.y_test[:TEST_ROWS])
        _cache[key] = ds
    return _cache[key]


@pytest.fixture
def lesson(request, shared_mnist_dir):
    """(lesson, its runs as Twins with the reduced MNIST folder)."""
    les = lessons.load(request.param)
    extra = {"data_dir": str(shared_mnist_dir)} if les.spec().data.name == "mnist" else {}
    return les, les.twins_or_run(**extra)


def _lesson(name):
    return pytest.mark.parametrize("lesson", [name], indirect=True)


def _train(twin, probe=False):
    """The twin's trainer after its short budget (and the probe histograms before it began)."""
    trainer = twin.spec.trainer(_dataset(twin.spec), chunk_seconds=0.2, probe_every=None)
    before = trainer.probe_histograms() if probe else None
    assert trainer.run() == "done"
    return trainer, before


def _runs(twins):
    data = _dataset(twins[0].spec)
    return {r["label"]: r for r in run_twins(twins, dataset=data)}


@_lesson("vanishing-gradients")
def test_vanishing_gradients_first_layer_learns_far_slower_with_sigmoid(lesson):
    _, twins = lesson
    runs = _runs(twins)
    # grad_norms: one mean per weight layer; [0] feeds hidden 1, [-2] hidden 4 (Nielsen's comparison).
    sig, relu = runs["sigmoid"]["grad_norms"], runs["ReLU + He + bias 0.1"]["grad_norms"]
    sig_ratio, relu_ratio = sig[0] / sig[-2], relu[0] / relu[-2]
    assert sig_ratio <= 0.1                       # measured 0.03
    assert relu_ratio >= 20 * sig_ratio           # measured 2.3: about 80 times larger
    assert runs["ReLU + He + bias 0.1"]["test_accuracy"] > runs["sigmoid"]["test_accuracy"] + 0.4


def _quadratic_cost(trainer):
    ds = trainer.dataset
    a = np.asarray(trainer.network.forward(ds.x_test), dtype=np.float64)
    y = np.eye(10)[ds.y_test]
    return float(np.mean(0.5 * np.sum((a - y) ** 2, axis=1)))


@_lesson("cross-entropy-vs-quadratic")
def test_cross_entropy_learns_at_once_from_a_saturated_start(lesson):
    _, twins = lesson
    first = [dataclasses.replace(t, spec=t.spec.with_epochs(1)) for t in twins]
    quad, ce = (_train(t)[0] for t in first)
    # Measured on one scale (the quadratic cost of each network's outputs), CE is lower...
    assert _quadratic_cost(ce) < 0.6 * _quadratic_cost(quad)
    # ...and it reads far more digits after the first epoch (measured 78 % vs 27 %).
    assert ce.history[0].test_accuracy > quad.history[0].test_accuracy + 0.3


@_lesson("overfitting-l2")
def test_l2_narrows_the_gap_between_training_and_test_accuracy(lesson):
    _, twins = lesson
    runs = _runs(twins)
    plain, l2 = (runs[label]["history"][-1] for label in ("no regularisation", "L2 λ = 1"))
    gap_plain = plain["training_accuracy"] - plain["test_accuracy"]
    gap_l2 = l2["training_accuracy"] - l2["test_accuracy"]
    assert plain["training_accuracy"] >= 0.98 and gap_plain >= 0.12       # measured 99 % vs 83 %
    assert gap_l2 <= gap_plain - 0.03 and l2["test_accuracy"] > plain["test_accuracy"] + 0.02


@_lesson("symmetry")
def test_zero_weights_keep_every_hidden_unit_identical(lesson):
    _, twins = lesson
    (zero, _), (rand, _) = (_train(t) for t in twins)
    W, b = zero.network.weights[0], zero.network.biases[0]
    assert np.ptp(W, axis=0).max() == 0 and np.ptp(b) == 0 and np.abs(W).max() > 0.05
    assert np.ptp(rand.network.weights[0], axis=0).min() > 0.05
    assert zero.history[-1].test_accuracy < 0.65 < 0.9 < rand.history[-1].test_accuracy


DEAD_SHARE = 0.3      # the lesson text: the dead share climbs to about half at eta 0.5


@_lesson("dead-relus")
def test_dead_relus_climb_with_a_high_learning_rate(lesson):
    _, twins = lesson
    trained = {t.label: _train(t, probe=True) for t in twins}
    for label, (trainer, before) in trained.items():
        assert before[0].dead_fraction < 0.05, label            # every run starts alive
    dead = {label: trainer.probe_histograms()[0].dead_fraction for label, (trainer, _) in trained.items()}
    acc = {label: trainer.history[-1].test_accuracy for label, (trainer, _) in trained.items()}
    assert dead["η 0.05"] < 0.05
    assert dead["η 0.5"] > DEAD_SHARE                            # measured 0.55
    assert dead["η 1.0"] > 0.9 and acc["η 1.0"] < 0.2            # nearly all dead: learning stalls
    assert acc["η 0.05"] > acc["η 0.5"] > acc["η 1.0"]


@_lesson("learning-rates")
def test_learning_rates_too_small_right_too_large(lesson):
    _, twins = lesson
    runs = _runs(twins)
    loss = {label: [h["training_loss"] for h in r["history"]] for label, r in runs.items()}
    assert loss["η 0.25"][-1] < loss["η 0.025"][-1] and loss["η 0.25"][-1] < loss["η 2.5"][-1]
    assert all(b < a for a, b in zip(loss["η 0.025"], loss["η 0.025"][1:]))     # slow but steady
    assert any(b > a for a, b in zip(loss["η 2.5"], loss["η 2.5"][1:]))         # overshoots: goes up


@_lesson("optimizer-race")
def test_momentum_and_adam_beat_sgd_in_the_first_epoch(lesson):
    _, twins = lesson
    runs = _runs(twins)
    assert len({r["init_sha256"] for r in runs.values()}) == 1          # same start
    assert len({r["order_sha256"] for r in runs.values()}) == 1         # same batches
    first = {label: r["history"][0]["training_loss"] for label, r in runs.items()}
    sgd = first["SGD η 0.01"]
    assert first["momentum 0.9, η 0.01"] < 0.6 * sgd and first["Adam η 0.001"] < 0.6 * sgd   # 0.28, 0.26 vs 0.63


def _spread(h) -> float:
    """Standard deviation of a layer's activations, from its histogram."""
    centres = (h.a_edges[:-1] + h.a_edges[1:]) / 2
    w = h.a_counts / h.a_counts.sum()
    mean = float(np.sum(w * centres))
    return float(np.sqrt(np.sum(w * (centres - mean) ** 2)))


@_lesson("weight-init")
def test_weight_init_histograms_saturated_collapsed_spread(lesson):
    _, twins = lesson
    trained = {t.label: _train(t, probe=True) for t in twins}
    hidden = {label: before[:-1] for label, (_, before) in trained.items()}    # at the start
    assert all(h.saturated_fraction > 0.5 for h in hidden["N(0, 1)"])          # piled at -1 and +1
    small = [_spread(h) for h in hidden["N(0, 0.01²)"]]
    assert small[-1] < 0.01 and small[0] > small[1] > small[2]                # collapses layer by layer
    for label in ("N(0, 1/n_in) ≈ Xavier", "He + ReLU"):
        assert all(h.saturated_fraction < 0.05 and _spread(h) > 0.15 for h in hidden[label]), label
    acc = {label: trainer.history[-1].test_accuracy for label, (trainer, _) in trained.items()}
    # Only the spread ones learn fast (measured 92 / 93 % vs 63 / 69 % on the 10,000 test digits).
    assert min(acc["N(0, 1/n_in) ≈ Xavier"], acc["He + ReLU"]) > max(acc["N(0, 1)"], acc["N(0, 0.01²)"]) + 0.15


@_lesson("dropout")
def test_dropout_narrows_the_gap_on_a_small_noisy_set(lesson):
    _, twins = lesson
    runs = _runs(twins)
    plain, drop = (runs[label]["history"][-1] for label in ("no dropout", "dropout 0.5"))
    gap = lambda h: h["training_accuracy"] - h["test_accuracy"]
    assert gap(plain) >= 0.15 and gap(drop) <= gap(plain) - 0.05     # measured 20 vs 14 points
    assert drop["test_accuracy"] > plain["test_accuracy"] and drop["test_loss"] < 0.5 * plain["test_loss"]


@_lesson("xor-spirals")
def test_xor_then_spirals_are_learned(lesson):
    les, (xor,) = lesson
    spirals = les.then_run()
    assert xor.spec.network.sizes == (2, 10, 5, 1) and xor.spec.network.cost == "quadratic"
    assert _train(xor)[0].history[-1].test_accuracy > 0.9          # measured 93 %
    assert _train(spirals)[0].history[-1].test_accuracy > 0.9      # measured 98 %


@_lesson("nielsen-ch1")
def test_nielsen_chapter_one_reads_most_digits(lesson):
    _, (run,) = lesson
    trainer, _ = _train(run)
    acc = [r.test_accuracy for r in trainer.history]
    assert acc[0] < acc[-1] and acc[-1] > 0.85                      # measured 88.5 % (book: 95 % on 50,000)
