"""Replay's checkpoints (core.checkpoints): exact parameters at growing intervals, under a byte cap."""
from __future__ import annotations

import numpy as np
import pytest

from playground.core.checkpoints import MAX_CHECKPOINTS, CheckpointStore
from playground.core.network import Network
from playground.core.runspec import RunSpec
from playground.core.spec import NetworkSpec

RUN = {"dataset": "spirals", "n_samples": 400, "hidden": [8, 8], "epochs": 30, "seed": 3, "batch_size": 10}


class Recorder:
    """A trainer's on_snapshot that offers each snapshot, and keeps the parameters of each moment
    (an independent record to compare the store's copies with)."""

    def __init__(self, trainer, store):
        self.trainer, self.store, self.seen = trainer, store, {}

    def __call__(self, snap):
        self.store.offer(snap)
        self.seen[snap.samples_seen] = self.trainer.network.params.copy()


def test_checkpoints_hold_the_exact_parameters_of_their_moment():
    run = RunSpec.from_settings(RUN)
    trainer = run.trainer(chunk_seconds=0.001, probe_every=None)
    initial = trainer.network.params.copy()
    store = CheckpointStore(trainer.network, trainer)
    rec = Recorder(trainer, store)
    assert trainer.run(on_snapshot=rec) == "done"
    cps = store.checkpoints()
    assert cps[0].samples_seen == 0 and np.array_equal(cps[0].params, initial)
    assert len(cps) >= 8
    for cp in cps[1:]:
        assert cp.params.tobytes() == rec.seen[cp.samples_seen].tobytes(), cp
    # The end of the run is kept (the latest slot is refreshed on the final "done" snapshot).
    assert cps[-1].samples_seen == trainer.samples_seen
    assert cps[-1].params.tobytes() == trainer.network.params.tobytes()
    # Growing intervals: the gaps of the second half are wider than those of the first.
    gaps = np.diff([c.samples_seen for c in cps[:-1]])
    assert gaps[len(gaps) // 2:].mean() > 2 * gaps[: len(gaps) // 2].mean()
    # A network rebuilt from a checkpoint computes what the run computed at that moment.
    mid = cps[len(cps) // 2]
    net = Network.from_params(run.network, mid.params, seed=run.seed)
    ref = Network.from_params(run.network, rec.seen[mid.samples_seen], seed=run.seed)
    x = trainer.dataset.x_test[:50]
    assert np.array_equal(net.forward(x), ref.forward(x))


class Counters:
    """Stands in for a snapshot: the store reads only these."""

    def __init__(self, samples):
        self.samples_seen, self.epoch, self.step, self.epoch_fraction = samples, samples // 100, samples, samples / 100
        self.state = "training"


def test_a_long_run_is_thinned_and_keeps_its_start_and_spread():
    net = Network(NetworkSpec((2, 4, 2), ("tanh",)), seed=1)
    store = CheckpointStore(net, min_spacing=10)
    for s in range(10, 2_000_000, 10):
        net.params[0] = s               # each moment's parameters are told apart by this value
        store.offer(Counters(s))
    last = Counters(2_000_000)
    last.state = "stopped"              # the end of a run always refreshes the latest slot
    net.params[0] = last.samples_seen
    store.offer(last)
    cps = store.checkpoints()
    assert len(cps) <= MAX_CHECKPOINTS + 1
    assert cps[0].samples_seen == 0 and cps[0].params[0] != cps[1].params[0]
    assert all(c.params[0] == c.samples_seen for c in cps[1:])
    # Spread over the whole run: something in each tenth of it (log-like, denser early).
    marks = np.array([c.samples_seen for c in cps])
    assert marks[-1] == 2_000_000
    assert (marks < 20_000).sum() >= 3 and (marks > 1_000_000).sum() >= 3


@pytest.mark.parametrize("cap_mb", [2, 8])
def test_a_big_net_gets_fewer_checkpoints_and_stays_under_the_cap(cap_mb):
    cap = cap_mb * 1024**2
    net = Network(NetworkSpec((784, 300, 10), ("relu",)), seed=1)          # ~0.9 MB of float32 per copy
    store = CheckpointStore(net, cap_bytes=cap, min_spacing=100)
    for s in range(100, 300_000, 100):
        store.offer(Counters(s))
        assert store.nbytes <= cap
    n = len(store.checkpoints())
    assert 2 <= n <= cap // net.params.nbytes
    assert f"{n} checkpoints" in store.summary()


def test_a_net_too_big_for_two_copies_keeps_none_and_says_so():
    net = Network(NetworkSpec((784, 300, 10), ("relu",)), seed=1)
    store = CheckpointStore(net, cap_bytes=net.params.nbytes + 10)
    assert not store.enabled and store.offer(Counters(10_000)) is False
    assert store.checkpoints() == [] and store.nbytes == 0
    assert "No replay for this network" in store.summary()


def test_an_offer_while_another_thread_holds_the_parameters_skips_instead_of_waiting():
    """The snapshot tap offers under the trainer's publishing lock; a stepper mid-chunk holds the
    parameter lock and is about to publish. Waiting there deadlocked the window (key storm)."""
    import threading

    run = RunSpec.from_settings(RUN)
    trainer = run.trainer(chunk_seconds=0.001, probe_every=None)
    store = CheckpointStore(trainer.network, trainer, min_spacing=1)
    trainer.step_batches(3)
    held, release = threading.Event(), threading.Event()

    def stepper():
        with trainer.lock:
            held.set()
            release.wait(10)

    th = threading.Thread(target=stepper)
    th.start()
    try:
        assert held.wait(5)
        before = len(store.checkpoints())
        assert store.offer() is False                       # at once, not after the stepper
        assert len(store.checkpoints()) == before
    finally:
        release.set()
        th.join(5)
    assert store.offer() is True                            # the next snapshot keeps it
    assert np.array_equal(store.checkpoints()[-1].params, trainer.network.params)
