"""PaceGate: real trainers in real threads keep step in samples seen, and nothing that stops,
pauses, finishes or leaves can hold the others.

GATE_POLL is raised to 30 s in every test, so a trainer that is let go promptly was woken by the
event the gate or Stop set, not by its safety poll.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from playground.core import trainer as trainer_module
from playground.core.data import load_dataset
from playground.core.errors import SpecError
from playground.core.network import Network
from playground.core.pace import PaceGate
from playground.core.spec import NetworkSpec, TrainConfig
from playground.core.trainer import Trainer
from test_trainer import start, wait_for

LEAD = 200
BATCH = 10


@pytest.fixture(scope="module")
def circles():
    """270 training points; the first chunk loads the compiled kernel here, not inside a timed wait."""
    data = load_dataset("circles", n_samples=400, noise=0.05, seed=3)
    Trainer(Network(NetworkSpec.make([2, 4, 2], "tanh"), seed=1), data, TrainConfig(epochs=1)).run()
    return data


@pytest.fixture(autouse=True)
def no_poll(monkeypatch):
    monkeypatch.setattr(trainer_module, "GATE_POLL", 30.0)


def make(circles, sizes=(2, 4, 2), epochs=None, batch_size=BATCH, **kw):
    net = Network(NetworkSpec.make(list(sizes), "tanh"), seed=1)
    cfg = TrainConfig(eta=0.1, batch_size=batch_size, epochs=epochs)
    return Trainer(net, circles, cfg, chunk_seconds=0.01, probe_every=None, **kw)


def finish(*pairs):
    for trainer, (thread, _) in pairs:
        trainer.request_stop()
    for trainer, (thread, _) in pairs:
        thread.join(5)
        assert not thread.is_alive()


@pytest.mark.parametrize("fast_batch", [BATCH, 50])
def test_a_fast_and_a_slow_twin_stay_within_the_lead(circles, fast_batch):
    """The tiny net would run ~10x ahead of the wide one; the gate keeps them within the lead
    (plus the one batch a chunk may overshoot by), checked after every chunk of either."""
    gate = PaceGate(LEAD)
    fast = make(circles, (2, 4, 2), gate=gate, batch_size=fast_batch)
    slow = make(circles, (2, 200, 200, 2))
    gate.join(slow)
    assert gate.members == [fast, slow] and slow.gate is gate
    gaps = []

    def watch(me, other):
        def on_snapshot(_snap):
            if other.state == "training" and not other.is_paused:
                gaps.append(me.samples_seen - other.samples_seen)
        return on_snapshot

    fast.on_snapshot, slow.on_snapshot = watch(fast, slow), watch(slow, fast)
    slow_run = start(slow)
    assert wait_for(lambda: slow.samples_seen > 0)
    fast_run = start(fast)
    assert wait_for(lambda: slow.samples_seen >= 6000, timeout=30)
    finish((fast, fast_run), (slow, slow_run))
    assert len(gaps) > 50
    # A chunk may overshoot by one batch; and the other's counter is read while it moves: under
    # load a few of the slow twin's mini-batches land between the gate's check and this read (a
    # full suite once read 270 against 230). Ungated, the fast one is thousands ahead.
    bound = LEAD + fast_batch + 2 * BATCH
    assert sum(g > bound for g in gaps) <= max(2, len(gaps) // 50), sorted(gaps)[-10:]
    assert max(gaps) <= bound + 8 * BATCH, max(gaps)
    assert fast.samples_seen >= 6000 - LEAD - fast_batch     # the fast one kept up, it was not starved


def test_ungated_fast_twin_runs_far_ahead(circles):
    """What the gate prevents (and proof the two nets really differ in speed)."""
    fast, slow = make(circles, (2, 4, 2)), make(circles, (2, 200, 200, 2))
    runs = (fast, start(fast)), (slow, start(slow))
    assert wait_for(lambda: slow.samples_seen >= 3000, timeout=30)
    finish(*runs)
    assert fast.samples_seen > 3 * slow.samples_seen


def held_pair(circles, epochs=None, stuck_at=lambda samples: samples >= 50):
    """``held`` is gated behind ``blocker``, which is training but stuck in its snapshot callback
    until ``release`` is set. The blocker's throttle keeps its chunks to one batch, so it gets
    stuck where asked rather than after a whole epoch in one chunk."""
    gate = PaceGate(0)
    blocker, held = make(circles, gate=gate, epochs=epochs), make(circles, gate=gate)
    blocker.set_throttle(2.0)
    release = threading.Event()
    blocker.on_snapshot = lambda snap: release.wait(30) if stuck_at(snap.samples_seen) else None
    blocker_run = start(blocker)
    assert wait_for(lambda: stuck_at(blocker.samples_seen))
    held_run = start(held)
    assert wait_for(lambda: held.samples_seen > blocker.samples_seen)
    time.sleep(0.1)
    assert blocker.state == "training"
    assert held.samples_seen <= blocker.samples_seen + BATCH       # held back, not training
    return gate, (blocker, blocker_run), (held, held_run), release


def test_stop_and_pause_wake_a_gated_trainer_at_once(circles):
    gate, blocker, held, release = held_pair(circles)
    trainer, (thread, out) = held
    trainer.pause()
    assert wait_for(lambda: trainer.state == "paused", timeout=2)
    trainer.resume()
    assert wait_for(lambda: trainer.state == "training", timeout=2)
    t0 = time.monotonic()
    trainer.request_stop()
    thread.join(2)
    assert not thread.is_alive() and out["result"] == "stopped"
    assert time.monotonic() - t0 < 2      # GATE_POLL is 30 s: Stop woke it
    release.set()
    finish(blocker)


@pytest.mark.parametrize("how", ["pause", "leave", "stop", "finish", "diverge"])
def test_a_twin_that_pauses_leaves_stops_finishes_or_diverges_does_not_hold_the_others(circles, how):
    if how == "finish":     # stuck just before the end of its single epoch, which it then finishes
        gate, blocker, held, release = held_pair(circles, epochs=1, stuck_at=lambda n: 100 <= n < 250)
    else:
        gate, blocker, held, release = held_pair(circles)
    # Who told the others to re-check, and in which state: the woken twin reads that state, so a
    # wake sent before it is final could leave it waiting (the race is rarely lost, so look here).
    wakes, moved = [], gate.moved
    gate.moved = lambda trainer: (wakes.append((trainer, trainer.state)), moved(trainer))
    if how == "pause":
        blocker[0].pause()
    elif how == "leave":
        gate.leave(blocker[0])
        assert blocker[0].gate is None and gate.members == [held[0]]
    elif how == "stop":
        blocker[0].request_stop()
    elif how == "diverge":
        blocker[0].set_config(eta=1e30)         # its next chunk blows the weights up
    release.set()
    target = held[0].samples_seen + 10 * blocker[0].n_train
    assert wait_for(lambda: held[0].samples_seen > target, timeout=5), (held[0].samples_seen, blocker[0].state)
    final = {"pause": "paused", "leave": "training", "stop": "stopped", "finish": "done", "diverge": "diverged"}[how]
    assert blocker[0].state == final
    finish(held, blocker)
    assert (blocker[0], final) in wakes


def test_set_gate_moves_a_trainer_between_gates_and_off(circles):
    a, b = PaceGate(10), PaceGate(10)
    t = make(circles, gate=a)
    t.set_gate(b)
    assert a.members == [] and b.members == [t] and t.gate is b
    t.set_gate(None)
    assert b.members == [] and t.gate is None
    with pytest.raises(SpecError, match="whole number"):
        PaceGate(-1)


def test_a_gate_does_not_change_what_a_twin_learns(circles):
    """Pacing changes when chunks run, never what they compute: a gated twin ends bit for bit
    where an ungated one does."""
    free = make(circles, epochs=2)
    free.run()
    gate = PaceGate(LEAD)
    a, b = make(circles, epochs=2, gate=gate), make(circles, (2, 50, 2), epochs=2, gate=gate)
    runs = (a, start(a)), (b, start(b))
    for _, (thread, _) in runs:
        thread.join(30)
    assert np.array_equal(a.network.params, free.network.params)
    assert [r.test_loss for r in a.history] == [r.test_loss for r in free.history]
