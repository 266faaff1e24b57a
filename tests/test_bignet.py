"""Big networks: the work between two Pause checks is bounded by the network's size, and the
kernels' warm-up never copies the user's network (issue 7, item 8); a first compile in a child
process ends as soon as it is cancelled (item 9)."""
from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

import playground.core.trainer as trainer_module
from playground.core import precompile, workload
from playground.core.data.dataset import Dataset, load_dataset
from playground.core.network import Network
from playground.core.spec import NetworkSpec, TrainConfig
from playground.core.trainer import Trainer


def image_like(n=1200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return Dataset("synthetic", x[:1000], y[:1000], x[:0], y[:0], x[1000:], y[1000:], 10)


def first_chunk(net, ds, batch):
    """Batches trained before the first Pause check of a run (the first training snapshot)."""
    t = Trainer(net, ds, TrainConfig(batch_size=batch, epochs=None, optimizer="sgd", eta=0.01), probe_every=None)
    steps = []

    def on_snapshot(snap):
        if snap.step > 0 and not steps:
            steps.append(snap.step)
            t.request_stop()

    assert t.run(on_snapshot=on_snapshot) == "stopped"
    return t, steps[0]


def test_first_chunk_is_sized_from_the_network_before_anything_is_measured():
    ds = image_like()
    # 784-1000-10 at batch 500: ~2.4 GFLOP per batch, so one batch is the whole first chunk.
    big = Network(NetworkSpec.make((784, 1000, 10), "sigmoid", output_activation="softmax",
                                   cost="log_likelihood"), seed=1)
    t, n = first_chunk(big, ds, 500)
    assert n == 1
    # 784-30-10 at batch 10: a batch is microseconds; starting at one batch would cost a dozen
    # tiny chunks (and snapshots) before the chunk length settles.
    small = Network(NetworkSpec.make((784, 30, 10), "sigmoid"), seed=1)
    t, n = first_chunk(small, ds, 10)
    assert n >= 50
    # The largest network the controls allow (4096 units x 4) gets one batch even at batch 10.
    assert workload.first_chunk_batches((784, 4096, 4096, 4096, 4096, 10), 10, 0.03, 1 << 20) == 1


def test_probe_of_a_huge_net_uses_fewer_rows():
    assert workload.probe_rows((2, 8, 2), 500) == 500
    assert workload.probe_rows((784, 4096, 4096, 4096, 4096, 10), 500) == 50


def test_pause_lands_between_pieces_of_the_epoch_end_evaluation(monkeypatch):
    ds = load_dataset("circles", n_samples=400, noise=0.05, seed=3)
    net = Network(NetworkSpec.make((2, 8, 2), "tanh"), seed=1)
    t = Trainer(net, ds, TrainConfig(epochs=1, batch_size=10), probe_every=None)
    t._eval_rows = 40                     # as a huge net would: several pieces per split
    sums = trainer_module.split_sums
    calls = []

    def pausing_sums(*args, **kw):
        calls.append(args[4:6])
        if len(calls) == 1:
            t.pause()                     # pressed while the first piece is evaluated
        return sums(*args, **kw)

    monkeypatch.setattr(trainer_module, "split_sums", pausing_sums)
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("r", t.run()))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while t.state != "paused" and time.monotonic() < deadline:
            time.sleep(0.005)
        assert t.state == "paused"
        assert calls == [(0, 40)] and t.epoch == 0        # the rest of the evaluation waits
        t.resume()
        thread.join(30)
    finally:
        t.request_stop()
        thread.join(30)
    assert out["r"] == "done" and t.epoch == 1
    pieces = sum(-(-len(x) // 40) for x in (ds.x_train, ds.x_val, ds.x_test))
    assert calls[:2] == [(0, 40), (40, 80)] and len(calls) == pieces
    # The pieces add up to the one-shot evaluation of the same weights.
    rec = t.history[0]
    assert (rec.training_loss, rec.training_accuracy) == pytest.approx(t.evaluate("training"))
    assert (rec.validation_loss, rec.validation_accuracy) == pytest.approx(t.evaluate("validation"))
    assert (rec.test_loss, rec.test_accuracy) == pytest.approx(t.evaluate("test"))


def test_warm_up_compiles_on_a_tiny_network_not_a_copy_of_the_users(monkeypatch):
    from playground.gui import worker

    built = []

    class Recording(Network):
        def __init__(self, spec, seed=1, **kw):
            built.append(spec.sizes)
            super().__init__(spec, seed, **kw)

    ds = image_like()
    net = Recording(NetworkSpec.make((784, 300, 300, 10), "relu", output_activation="softmax",
                                     cost="log_likelihood"), seed=1)
    worker._warm_up(Trainer, net, ds, TrainConfig(batch_size=10))
    assert built == [(784, 300, 300, 10), (784, 4, 10)]


def test_cancel_kills_the_compiling_child_at_once(monkeypatch):
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    children = []

    def spawn(dtype, part):
        import subprocess
        children.append(subprocess.Popen(sleeper))
        return children[-1]

    monkeypatch.setattr(precompile, "spawn", spawn)
    monkeypatch.setattr(precompile, "cache_is_warm", lambda: False)
    monkeypatch.setattr(precompile, "_children", {})
    monkeypatch.setattr(precompile, "_helpers", [])
    cancel = threading.Event()
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("ok", precompile.ensure("float32", cancel)))
    thread.start()
    while len(children) < 2:
        time.sleep(0.005)
    assert thread.is_alive()              # waiting for the (sleeping) compile
    cancel.set()
    thread.join(30)
    assert out["ok"] is False
    assert all(c.returncode is not None and c.returncode != 0 for c in children)    # killed, not finished
    assert precompile._children == {}     # the next window starts afresh


def test_the_train_child_compiles_the_signatures_train_kernel_really_uses(tmp_path):
    """Else the child would compile helpers nobody calls and train_kernel would compile its own.
    A fresh numba cache, so train_kernel is really compiled (seconds) rather than loaded."""
    import json
    import os
    import subprocess
    from pathlib import Path

    script = (
        "import json, playground.core.precompile as p\n"
        "from playground.core import kernels\n"
        "p._wait_for_forward = lambda: None\n"
        "p.compile_kernels('float32', 'train')\n"
        "print(json.dumps({n: len(getattr(kernels, n).signatures) for n in p.backward_signatures('float32')}))\n")
    repo = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": repo}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == {n: 1 for n in precompile.backward_signatures("float32")}
