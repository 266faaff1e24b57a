"""Replay in the window: the time slider, driven with real keys and clicks, puts a checkpoint's
exact parameters into the network the views draw, marks the moment on the curves, returns to live,
and "Continue from here" starts a branch run from exactly those parameters."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.core.network import Network
from playground.gui._qt import QtCore
from playground.gui.boundary import class_one_probability

pytestmark = pytest.mark.timeout(240)


def record_params(session) -> dict:
    """samples seen -> the network's parameters at every published snapshot (independent of the
    checkpoint store: copied here, in the training thread, after the session's tap)."""
    seen = {0: session.network.params.copy()}
    tap = session.trainer.on_snapshot

    def on_snapshot(snap):
        tap(snap)
        seen[snap.samples_seen] = session.network.params.copy()
    session.trainer.on_snapshot = on_snapshot
    return seen


def step_epochs(qtbot, c, n):
    for _ in range(n):
        c.w.act_step_epoch.trigger()
        qtbot.waitUntil(lambda: not c.active.step_active, timeout=60000)


def drawn_boundary(w) -> np.ndarray:
    return np.asarray(w.views.boundary.image.image)


def expected_boundary(w, spec, params) -> np.ndarray:
    net = Network.from_params(spec, params)
    _, acts = net.forward_all(w.views.boundary.grid)
    return class_one_probability(acts[-1]).reshape(drawn_boundary(w).shape).astype(np.float32)


def test_the_slider_replays_exact_checkpoints_and_a_branch_continues_from_them(qtbot, gui):
    w, c = gui
    s = c.active
    seen = record_params(s)
    step_epochs(qtbot, c, 6)
    c.frames.tick()
    replay, slider = c.replay, w.replay_bar.slider
    replay.refresh()
    cps = s.checkpoints.checkpoints()
    assert len(cps) >= 5 and slider.maximum() == len(cps) and slider.value() == len(cps)   # live
    live_params = s.network.params.copy()
    spec = s.network.spec

    slider.setFocus()
    qtbot.keyClick(slider, QtCore.Qt.Key_Home)                 # the initial weights
    assert replay.current is cps[0] and c.frames.replay is replay.network
    assert c.frames.replay.params.tobytes() == seen[0].tobytes()
    assert np.array_equal(drawn_boundary(w), expected_boundary(w, spec, seen[0]))
    qtbot.keyClick(slider, QtCore.Qt.Key_Right)
    qtbot.keyClick(slider, QtCore.Qt.Key_Right)
    cp = cps[2]
    assert replay.current is cp and cp.samples_seen > 0
    assert c.frames.replay.params.tobytes() == seen[cp.samples_seen].tobytes()
    assert np.array_equal(drawn_boundary(w), expected_boundary(w, spec, seen[cp.samples_seen]))
    assert not np.array_equal(drawn_boundary(w), expected_boundary(w, spec, live_params))
    line = replay._lines[0]
    assert line.scene() is w.plots.loss.scene() and line.value() == pytest.approx(cp.epoch_fraction)
    w.plots.x_axis.setCurrentIndex(1)                          # samples seen on the x axis: the line follows
    assert line.value() == pytest.approx(cp.samples_seen)
    w.plots.x_axis.setCurrentIndex(0)
    assert s.network.params.tobytes() == live_params.tobytes()  # the run itself is untouched
    c.frames.tick()                                            # a frame does not put the live net back
    assert c.frames.replay is replay.network

    qtbot.keyClick(slider, QtCore.Qt.Key_End)                  # live again
    assert replay.current is None and c.frames.replay is None and line.scene() is None
    assert np.array_equal(drawn_boundary(w), expected_boundary(w, spec, live_params))

    # A click on the groove's left end steps back from live.
    qtbot.mouseClick(slider, QtCore.Qt.LeftButton, pos=QtCore.QPoint(3, slider.height() // 2))
    assert slider.value() < len(cps) and replay.current is cps[slider.value()]
    qtbot.keyClick(slider, QtCore.Qt.Key_Home)
    for _ in range(3):
        qtbot.keyClick(slider, QtCore.Qt.Key_Right)
    cp = cps[3]
    assert replay.current is cp

    qtbot.mouseClick(w.replay_bar.branch, QtCore.Qt.LeftButton)     # Continue from here
    branch = c.active
    assert branch is not s and c.sessions == [s, branch]
    assert branch.network.params.tobytes() == seen[cp.samples_seen].tobytes()
    assert branch.trainer.samples_seen == cp.samples_seen and branch.trainer.step == cp.step
    assert [r.epoch for r in branch.trainer.history] == [r.epoch for r in s.trainer.history if r.epoch <= cp.epoch]
    assert s.network.params.tobytes() == live_params.tobytes()
    assert replay.current is None and c.frames.replay is None      # the branch is on show, live
    c.frames.tick()
    assert np.array_equal(drawn_boundary(w), expected_boundary(w, spec, seen[cp.samples_seen]))
    c.w.act_step.trigger()                                     # and it trains on from there
    qtbot.waitUntil(lambda: not branch.step_active, timeout=60000)
    assert branch.trainer.samples_seen > cp.samples_seen
    assert branch.network.params.tobytes() != seen[cp.samples_seen].tobytes()


def test_on_mnist_the_weight_images_and_confusion_matrix_replay_too(qtbot, gui, shared_mnist_dir, monkeypatch):
    from playground.gui.analysis import analyse
    from playground.gui.images import weight_mosaic

    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    w, c = gui
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("mnist"))
    s = c.active
    assert s.dataset.name == "mnist"
    seen = record_params(s)
    step_epochs(qtbot, c, 1)
    c.replay.refresh()
    cps = s.checkpoints.checkpoints()
    assert len(cps) >= 3 and "MB" in w.replay_bar.info.text()
    slider = w.replay_bar.slider
    slider.setFocus()
    qtbot.keyClick(slider, QtCore.Qt.Key_Home)
    qtbot.keyClick(slider, QtCore.Qt.Key_Right)
    cp = cps[1]
    params = seen[cp.samples_seen]
    assert c.frames.replay.params.tobytes() == params.tobytes()
    ref = Network.from_params(s.network.spec, params)
    assert np.array_equal(w.views.weights.mosaic, weight_mosaic(ref.weights[0], (28, 28)))
    w.views.tabs.setCurrentWidget(w.views.confusion)
    want = analyse(ref, s.dataset.x_test, s.dataset.y_test, 10).confusion
    qtbot.waitUntil(lambda: np.array_equal(w.views.confusion.matrix, want), timeout=20000)
    live = analyse(s.network, s.dataset.x_test, s.dataset.y_test, 10).confusion
    assert not np.array_equal(want, live)
