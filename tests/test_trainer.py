"""Trainer: the chunked loop, its controls (stop / pause / live settings), divergence recovery,
reproducibility, the plateau schedule, early stopping and network2's epoch monitors.

Tiny networks on small toy data, so the whole file runs in seconds once the kernels are cached.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from playground.core.data import Dataset, load_dataset
from playground.core.errors import SpecError
from playground.core.network import Network
from playground.core.snapshot import EpochRecord, LayerHistogram, Snapshot
from playground.core.spec import NetworkSpec, TrainConfig
from playground.core.trainer import Trainer

STATES = {"idle", "compiling", "training", "paused", "diverged", "done", "stopped"}


@pytest.fixture(scope="module")
def circles():
    return load_dataset("circles", n_samples=400, noise=0.05, seed=3)


def small_net(sizes=(2, 8, 2), act="tanh", seed=1, **kw):
    return Network(NetworkSpec.make(list(sizes), act, **kw), seed=seed)


def wait_for(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def start(trainer):
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("result", trainer.run()), daemon=True)
    thread.start()
    return thread, out


def flat_validation_dataset(n_train=60, seed=0):
    """Validation inputs are all identical with labels half 0 / half 1, so whatever the network
    learns, validation accuracy is exactly 0.5 every epoch and can never improve."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_train, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    x_val = np.zeros((10, 2), np.float32)
    y_val = np.array([0, 1] * 5, np.int64)
    return Dataset("flat", x, y, x_val, y_val, x[:10].copy(), y[:10].copy(), n_classes=2)


# ---------------------------------------------------------------------------- snapshots
def test_snapshots_are_complete_and_increase(circles):
    snaps = []
    net = small_net()
    t = Trainer(net, circles, TrainConfig(eta=0.5, batch_size=10, epochs=3), on_snapshot=snaps.append)
    t.request_probe()
    assert t.run() == "done"
    assert t.state == "done" and t.epoch == 3 and len(t.history) == 3
    assert t.latest is snaps[-1] and t.latest.state == "done"
    seqs = [s.seq for s in snaps]
    assert seqs == sorted(set(seqs))
    for a, b in zip(snaps, snaps[1:]):
        assert b.step >= a.step and b.samples_seen >= a.samples_seen and b.epoch_fraction >= a.epoch_fraction
        assert b.elapsed >= a.elapsed
    trained = [s for s in snaps if s.state == "training"]
    assert trained, "no training snapshots"
    L = net.spec.n_layers
    for s in trained:
        assert isinstance(s, Snapshot) and s.state in STATES
        assert s.grad_w_norm.shape == s.grad_b_norm.shape == s.weight_norm.shape == (L,)
        assert np.all(np.isfinite(s.weight_norm)) and np.all(s.weight_norm > 0)
        assert np.isfinite(s.train_loss) and s.train_loss >= 0
        assert s.eta == 0.5 and s.samples_per_second > 0
    final = snaps[-1]
    assert final.step == t.step and final.samples_seen == t.samples_seen == 3 * len(circles.x_train)
    assert final.epoch_fraction == pytest.approx(3.0)
    assert [s.epoch_record.epoch for s in snaps if s.epoch_record is not None] == [1, 2, 3]
    probed = [s for s in snaps if s.histograms is not None]
    assert probed and all(isinstance(h, LayerHistogram) for h in probed[0].histograms)


def test_snapshots_per_epoch_gives_each_epoch_that_many_moments():
    """A fast net trains an epoch in one 30 ms chunk; asked for 10 snapshots an epoch, it stops
    for a snapshot at least every tenth of the epoch's mini-batches (3,000 points, batch 10: a
    tenth is 30 batches, above the floor of 200 samples a snapshot)."""
    circles = load_dataset("circles", n_samples=4000, noise=0.05, seed=3)

    def training_steps(per_epoch):
        snaps = []
        t = Trainer(small_net(), circles, TrainConfig(eta=0.5, batch_size=10, epochs=2), chunk_seconds=10.0,
                    on_snapshot=snaps.append)
        t.snapshots_per_epoch = per_epoch
        assert t.run() == "done"
        return [s.step for s in snaps if s.state == "training" and s.step > 0]

    n_batches = -(-len(circles.x_train) // 10)
    assert len(set(training_steps(None))) <= 3             # one chunk an epoch
    steps = sorted(set(training_steps(10)))
    assert len(steps) >= 2 * 10 - 1
    assert max(b - a for a, b in zip([0, *steps], steps)) <= n_batches // 10


def test_a_snapshot_loss_averages_at_least_200_samples(circles):
    """A toy epoch cut in 25 would give 30-sample losses: a band of noise, not a curve."""
    snaps = []
    t = Trainer(small_net(), circles, TrainConfig(eta=0.5, batch_size=10, epochs=3), chunk_seconds=10.0,
                on_snapshot=snaps.append)
    t.snapshots_per_epoch = 25
    assert t.run() == "done"
    steps = sorted({s.step for s in snaps if s.state == "training" and s.step > 0})
    per_epoch = -(-len(circles.x_train) // 10)
    # 20 mini-batches (200 samples) between snapshots, but for the rest of an epoch at its end.
    short = [(a, b) for a, b in zip([0, *steps], steps) if b - a < 200 // 10 and b % per_epoch]
    assert len(steps) >= 3 and short == [], (steps, per_epoch)


def test_epoch_records_have_all_monitors(circles):
    cfg = TrainConfig(eta=0.5, batch_size=10, epochs=2, l2=2.0)
    net = small_net()
    t = Trainer(net, circles, cfg)
    t.run()
    for r in t.history:
        assert isinstance(r, EpochRecord) and r.eta == 0.5 and r.seconds >= 0
        for v in (r.training_loss, r.validation_loss, r.test_loss):
            assert v is not None and np.isfinite(v) and v > 0
        for v in (r.training_accuracy, r.validation_accuracy, r.test_accuracy):
            assert v is not None and 0.0 <= v <= 1.0
    # network2's total_cost: mean cost + 0.5 * (lambda / n) * sum w^2, n = size of the evaluated split
    x, labels = circles.x_train, circles.y_train
    y = circles.targets(labels, 2, np.float32)
    assert t.history[-1].training_loss == pytest.approx(net.loss(x, y, l2=2.0, n_total=len(x)), rel=1e-5)
    acc = np.mean(np.argmax(net.forward(x), axis=1) == labels)
    assert t.history[-1].training_accuracy == pytest.approx(acc)
    assert t.evaluate("training") == (pytest.approx(t.history[-1].training_loss), pytest.approx(acc))


def test_empty_split_gives_none(circles):
    ds = Dataset("noval", circles.x_train, circles.y_train, circles.x_train[:0], circles.y_train[:0],
                 circles.x_test, circles.y_test, n_classes=2)
    t = Trainer(small_net((2, 4, 1), output_activation="sigmoid"), ds, TrainConfig(epochs=1))
    t.run()
    r = t.history[0]
    assert r.validation_loss is None and r.validation_accuracy is None
    assert r.training_accuracy is not None and r.test_accuracy is not None
    assert t.evaluate("validation") == (None, None)


# ---------------------------------------------------------------------------- controls
def test_stop_from_another_thread_is_prompt(circles):
    t = Trainer(small_net(), circles, TrainConfig(epochs=None))
    thread, out = start(t)
    assert wait_for(lambda: t.step > 20)
    t0 = time.monotonic()
    t.request_stop()
    thread.join(2.0)
    assert not thread.is_alive()
    assert time.monotonic() - t0 < 1.0
    assert out["result"] == "stopped" and t.state == "stopped" and t.latest.state == "stopped"


def test_throttle_limits_epochs_per_second(circles):
    t = Trainer(small_net(), circles, TrainConfig(epochs=None))
    t.step_batches(1)                                    # compile outside the measured window
    limit = 4.0                                          # epochs per second
    t.set_throttle(limit)
    assert t.throttle == limit
    before = t.samples_seen
    thread, out = start(t)
    t0 = time.monotonic()
    try:
        time.sleep(0.5)
        trained = t.samples_seen - before
        seconds = time.monotonic() - t0
    finally:
        t.request_stop()
        thread.join(2.0)
    # Upper bound only (a loaded machine trains less, never more): twice the limit plus one chunk.
    assert trained <= 2 * limit * t.n_train * seconds + t.n_train, (trained, seconds)
    assert out["result"] == "stopped"


def test_throttle_wait_wakes_for_stop_pause_and_new_limit(circles):
    t = Trainer(small_net(), circles, TrainConfig(epochs=None))
    t.set_throttle(0.01)                                 # one epoch per 100 s: the loop is nearly always waiting
    thread, out = start(t)
    try:
        assert wait_for(lambda: t.step > 0)
        t.pause()
        assert wait_for(lambda: t.latest.state == "paused", timeout=1.0)
        t.resume()
        t.set_throttle(None)                             # back to full speed, live
        assert wait_for(lambda: t.epoch >= 3, timeout=10.0)
        t.set_throttle(0.01)
        time.sleep(0.1)
        t0 = time.monotonic()
        t.request_stop()
        thread.join(2.0)
        assert not thread.is_alive() and time.monotonic() - t0 < 1.0
        assert out["result"] == "stopped"
    finally:
        t.request_stop()
        thread.join(2.0)
    with pytest.raises(SpecError):
        t.set_throttle(0)
    with pytest.raises(SpecError):
        t.set_throttle(float("nan"))


def test_elapsed_is_wall_time_with_evaluation_and_kernel_time_is_separate(circles, tmp_path, monkeypatch):
    import playground.core.trainer as trainer_module

    t = Trainer(small_net(), circles, TrainConfig(epochs=2))
    sums = trainer_module.split_sums
    calls = []

    def slow_sums(*args, **kw):                          # stands in for evaluating a big split
        calls.append(1)
        time.sleep(0.1)
        return sums(*args, **kw)

    monkeypatch.setattr(trainer_module, "split_sums", slow_sums)
    t0 = time.monotonic()
    assert t.run() == "done"
    wall = time.monotonic() - t0
    # 2 epochs x (2 or 3 splits) x 100 ms of evaluation count as training time; the kernel time does not.
    assert len(calls) >= 4
    assert 0.1 * len(calls) <= t.elapsed <= wall
    assert 0 < t.kernel_seconds < t.elapsed - 0.25
    assert t.latest.elapsed == pytest.approx(t.elapsed, abs=0.05)
    assert sum(r.seconds for r in t.history) == pytest.approx(t.elapsed, abs=0.05)
    idle = t.elapsed
    time.sleep(0.1)
    assert t.elapsed == idle                             # not training: the clock stands still
    t.step_batches(1)
    assert idle < t.elapsed < idle + 1.0                 # a Step counts while it trains
    path = t.save(tmp_path / "m.json")
    assert Trainer.from_saved(path, circles).elapsed == pytest.approx(t.elapsed)


def test_pause_blocks_and_resume_continues(circles):
    t = Trainer(small_net(), circles, TrainConfig(epochs=None))
    thread, out = start(t)
    try:
        assert wait_for(lambda: t.step > 10)
        t.pause()
        assert wait_for(lambda: t.latest.state == "paused")
        assert t.is_paused and t.state == "paused"
        step, elapsed = t.step, t.elapsed
        time.sleep(0.2)
        assert t.step == step and thread.is_alive()
        assert t.elapsed == elapsed                      # paused time is not training time
        with pytest.raises(RuntimeError):
            t.run()                                      # one run at a time
        t.resume()
        assert wait_for(lambda: t.step > step)
        # Stop must also wake a paused loop.
        t.pause()
        assert wait_for(lambda: t.latest.state == "paused")
        t.request_stop()
        thread.join(2.0)
        assert not thread.is_alive() and out["result"] == "stopped"
    finally:
        t.request_stop()
        thread.join(2.0)


def test_step_while_paused_is_safe(circles):
    t = Trainer(small_net(), circles, TrainConfig(epochs=None))
    thread, _ = start(t)
    try:
        assert wait_for(lambda: t.step > 5)
        t.pause()
        assert wait_for(lambda: t.latest.state == "paused")
        step = t.step
        t.step_batches(3)
        assert t.step == step + 3
        # Stop pressed while a Step runs must still stop the paused run afterwards.
        t.request_stop()
        t.step_epoch()
        thread.join(2.0)
        assert not thread.is_alive() and t.state == "stopped"
    finally:
        t.request_stop()
        thread.join(2.0)
    assert not thread.is_alive()


def test_live_settings(circles):
    t = Trainer(small_net(), circles, TrainConfig(eta=0.5, epochs=None))
    with pytest.raises(SpecError):
        t.set_config(optimizer="adam")       # not a LIVE field
    with pytest.raises(SpecError):
        t.set_config(eta=-1.0)
    thread, _ = start(t)
    try:
        assert wait_for(lambda: t.step > 5)
        t.set_config(eta=0.125, l2=0.5)
        assert wait_for(lambda: t.latest.eta == 0.125 and t.latest.state == "training")
        assert t.config.l2 == 0.5
    finally:
        t.request_stop()
        thread.join(2.0)


def test_step_buttons_and_batch_size_change(circles):
    n = len(circles.x_train)
    t = Trainer(small_net(), circles, TrainConfig(batch_size=10))
    t.step_batches(3)
    assert (t.step, t.samples_seen, t.epoch) == (3, 30, 0)
    t.set_config(batch_size=7)              # applies from the next chunk
    t.step_batches(2)
    assert (t.step, t.samples_seen) == (5, 44)
    t.step_epoch()
    assert t.epoch == 1 and t.samples_seen == n and len(t.history) == 1
    assert t.latest.epoch_record == t.history[0]
    t.step_epoch()
    assert t.epoch == 2 and t.samples_seen == 2 * n


# ---------------------------------------------------------------------------- divergence
def exploding_net(seed=1):
    return small_net((2, 16, 1), "relu", seed=seed, output_activation="linear", cost="quadratic")


def test_divergence_restores_last_good_params_bit_for_bit(circles):
    net = exploding_net()
    t = Trainer(net, circles, TrainConfig(eta=1e4, batch_size=10, epochs=None))
    for _ in range(1000):
        before = net.params.copy()
        if t.step_batches(1) == "diverged":
            break
    else:
        pytest.fail("eta=1e4 never diverged")
    assert t.state == "diverged" and t.latest.state == "diverged"
    assert np.array_equal(net.params, before)                    # nothing lost, bit for bit
    assert np.array_equal(net.params, t.last_good_params)
    assert np.all(np.isfinite(net.params))
    assert "learning rate" in t.diverged_message and "10000" in t.diverged_message
    assert t.latest.message == t.diverged_message


def test_run_returns_diverged(circles):
    net = exploding_net()
    snaps = []
    t = Trainer(net, circles, TrainConfig(eta=1e4, batch_size=10, epochs=50), on_snapshot=snaps.append)
    assert t.run() == "diverged"
    assert t.state == "diverged" and snaps[-1].state == "diverged"
    assert "learning rate" in snaps[-1].message and "restored" in snaps[-1].message
    assert np.array_equal(net.params, t.last_good_params) and np.all(np.isfinite(net.params))
    # The user lowers the learning rate and carries on from the restored weights.
    t.set_config(eta=1e-3)
    t.config  # noqa: B018 - applied at the next chunk
    assert t.step_batches(5) != "diverged" and t.state == "idle"


# ---------------------------------------------------------------------------- reproducibility
def test_same_seed_same_params_bit_identical(circles):
    cfg = TrainConfig(eta=0.3, batch_size=7, epochs=3, dropout=0.2, optimizer="momentum", seed=5)
    a = Trainer(small_net(seed=4), circles, cfg, chunk_seconds=1e-4)
    b = Trainer(small_net(seed=4), circles, cfg, chunk_seconds=0.5)   # different chunking, same result
    a.run()
    b.run()
    assert np.array_equal(a.network.params, b.network.params)
    assert [r.validation_accuracy for r in a.history] == [r.validation_accuracy for r in b.history]
    c = Trainer(small_net(seed=4), circles, TrainConfig(**{**cfg.to_dict(), "seed": 6}))
    c.run()
    assert not np.array_equal(a.network.params, c.network.params)   # the shuffle follows config.seed


# ---------------------------------------------------------------------------- schedule
def test_plateau_schedule_halves_eta_then_stops():
    ds = flat_validation_dataset()
    cfg = TrainConfig(eta=0.8, batch_size=10, epochs=20, schedule="plateau", plateau_epochs=1, max_halvings=2)
    t = Trainer(small_net(), ds, cfg)
    assert t.run() == "early_stopped"
    assert all(r.validation_accuracy == 0.5 for r in t.history)
    # epoch 1 sets the best; epochs 2 and 3 are plateaus: halve to 0.4, then to 0.2 and finish
    assert [r.eta for r in t.history] == [0.8, 0.8, 0.4]
    assert t.config.eta == 0.2 and t.state == "done"
    assert "schedule" in t.latest.message


def test_early_stopping():
    ds = flat_validation_dataset()
    after = {}          # the parameters at the end of each epoch, copied as the epoch ends
    t = Trainer(small_net(), ds, TrainConfig(eta=0.5, epochs=20, early_stopping=3),
                on_epoch=lambda r: after.setdefault(r.epoch, t.network.params.copy()))
    assert t.run() == "early_stopped"
    assert len(t.history) == 4 and t.best_epoch == 1
    assert "Early stopping" in t.latest.message
    assert not np.array_equal(t.network.params, after[1])      # training went on past the best epoch
    assert t.restore_best()
    np.testing.assert_array_equal(t.network.params, after[1])


# ---------------------------------------------------------------------------- probes
def test_probe_histograms_dead_and_saturated(circles):
    t = Trainer(small_net((2, 6, 3, 2), ("relu", "sigmoid")), circles, TrainConfig(), probe_size=100)
    net = t.network
    hist = t.probe_histograms()
    assert len(hist) == 3
    for h, units in zip(hist, (6, 3, 2)):
        assert h.z_counts.sum() == 100 * units and h.a_counts.sum() == 100 * units
        assert len(h.z_edges) == len(h.z_counts) + 1
    # The share of relu outputs exactly 0 (the histogram's spike), counted from the pre-activations.
    zs, _ = net.forward_all(t._probe_x)
    assert hist[0].zero_fraction == pytest.approx(np.mean(np.asarray(zs[0]) <= 0), abs=1e-9)
    assert 0.0 < hist[0].zero_fraction < 1.0 and hist[1].zero_fraction == 0.0 and hist[2].zero_fraction == 0.0
    net.biases[0][:] = -100.0                # every relu unit off for every input: dead
    net.weights[1][:] = 0.0
    net.biases[1][:] = 50.0                  # every sigmoid unit pinned at 1: saturated
    hist = t.probe_histograms()
    assert hist[0].dead_fraction == 1.0 and hist[0].saturated_fraction == 0.0 and hist[0].zero_fraction == 1.0
    assert hist[1].saturated_fraction == 1.0 and hist[1].dead_fraction == 0.0
