"""Drive the real main window: play, pause, step, reset, stop, live changes, divergence, closing."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, wait_steps  # noqa: F401

pytestmark = pytest.mark.timeout(240)


def test_play_pause_step_reset_stop(qtbot, gui):
    w, c = gui
    assert c.phase == "ready" and w.act_play.isEnabled()
    assert c.dataset.name == "spirals" and c.network.spec.sizes[0] == 2
    w.act_play.trigger()
    wait_steps(qtbot, c, 50)
    qtbot.waitUntil(lambda: c.phase == "training", timeout=60000)
    qtbot.waitUntil(lambda: w.plots.snap_series.n > 2 and w.plots.layer_series.n > 2, timeout=10000)
    assert w.views.boundary.updates > 0

    w.act_play.trigger()                                   # pause
    qtbot.waitUntil(lambda: c.trainer.latest.state == "paused", timeout=5000)
    assert c.phase == "paused" and w.act_play.text() == "Play"
    frozen = c.trainer.step
    qtbot.wait(200)
    assert c.trainer.step == frozen

    samples = c.trainer.samples_seen
    w.act_step.trigger()                                   # one mini-batch
    qtbot.waitUntil(lambda: not c.step_active, timeout=10000)
    assert c.trainer.step == frozen + 1
    assert c.trainer.samples_seen - samples <= c.trainer.config.batch_size

    epoch = c.trainer.epoch
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=10000)
    assert c.trainer.epoch == epoch + 1

    w.act_play.trigger()                                   # resume the paused run
    qtbot.waitUntil(lambda: c.trainer.step > frozen + 50, timeout=10000)
    w.act_stop.trigger()
    qtbot.waitUntil(lambda: not c.run_active, timeout=10000)
    assert c.phase == "stopped"

    old_params = c.network.params.copy()
    w.act_reset.trigger()                                  # same seed: same initial weights, fresh run
    assert c.trainer.step == 0 and c.phase == "ready"
    first = c.network.params.copy()
    assert not np.array_equal(first, old_params)
    w.act_reset.trigger()
    np.testing.assert_array_equal(c.network.params, first)
    w.act_reset_seed.trigger()                             # new seed: different weights
    assert not np.array_equal(c.network.params, first)


def test_live_hyperparameters_apply_without_reset(qtbot, gui):
    w, c = gui
    w.act_play.trigger()
    wait_steps(qtbot, c, 20)
    trainer = c.trainer
    w.controls.eta.setValue(0.005)
    w.controls.batch_size.setValue(25)
    w.controls.l2.setValue(0.5)
    w.controls.dropout.setValue(0.1)
    step = trainer.step
    qtbot.waitUntil(lambda: trainer.step > step + 20, timeout=10000)
    assert c.trainer is trainer                            # no reset happened
    cfg = trainer.config
    assert (cfg.eta, cfg.batch_size, cfg.l2, cfg.dropout) == (0.005, 25, 0.5, 0.1)
    qtbot.waitUntil(lambda: abs(trainer.latest.eta - 0.005) < 1e-12, timeout=5000)


def test_structural_change_asks_before_reset(qtbot, gui, answers):
    w, c = gui
    w.act_play.trigger()
    wait_steps(qtbot, c, 20)
    trainer = c.trainer
    answers.answer = False                                  # "Cancel": nothing changes
    w.controls.layers._rows[0].size.setValue(5)
    assert answers.asked and c.trainer is trainer
    assert w.controls.layers.sizes() == [12, 12]          # the control went back
    assert c.run_active
    answers.answer = True
    w.controls.layers._rows[0].size.setValue(5)
    assert c.trainer is not trainer and c.network.spec.sizes == (2, 5, 12, 2)
    assert not c.run_active and c.phase == "ready"
    w.controls.layers.add_button.click()                  # not running: no question
    n_asked = len(answers.asked)
    assert c.network.spec.sizes == (2, 5, 12, 12, 2) and len(answers.asked) == n_asked


def test_invalid_combination_is_explained_and_blocks_play(qtbot, gui):
    w, c = gui
    controls = w.controls
    controls.output.setCurrentIndex(controls.output.findData("sigmoid"))   # with log-likelihood cost
    assert not controls.valid
    assert controls.network_error.isVisibleTo(w) and "softmax" in controls.network_error.text().lower()
    assert not w.act_play.isEnabled() and not w.act_step.isEnabled()
    w.act_play.trigger()
    assert not c.run_active
    controls.cost.setCurrentIndex(controls.cost.findData("cross_entropy"))
    assert controls.valid and not controls.network_error.isVisibleTo(w)
    assert w.act_play.isEnabled()
    assert c.network.spec.output_activation == "sigmoid" and c.network.spec.cost == "cross_entropy"


def test_divergence_shows_banner_and_offers_lower_rate(qtbot, gui):
    w, c = gui
    controls = w.controls
    controls.optimizer.setCurrentIndex(controls.optimizer.findData("sgd"))
    controls.output.setCurrentIndex(controls.output.findData("linear"))
    controls.cost.setCurrentIndex(controls.cost.findData("quadratic"))
    controls.activation.setCurrentIndex(controls.activation.findData("relu"))
    controls.eta.setValue(500.0)
    assert controls.valid, controls.network_error.text()
    w.act_play.trigger()
    qtbot.waitUntil(lambda: c.phase == "diverged", timeout=60000)
    assert not c.run_active
    assert w.banner.isVisible() and "diverged" in w.banner.text.text().lower()
    assert np.all(np.isfinite(c.network.params))         # last good weights restored
    button = w.banner.action_button("Lower learning rate ÷10 (η = 50)")
    assert button is not None
    button.click()
    assert controls.eta.value() == pytest.approx(50.0)
    assert c.trainer.config.eta == pytest.approx(50.0)


def test_close_during_training_stops_threads(qtbot, gui):
    w, c = gui
    w.act_play.trigger()
    wait_steps(qtbot, c, 20)
    assert c.run_active
    w.close()
    assert not c.runner_thread.isRunning() and not c.stepper_thread.isRunning()
    assert c.trainer.latest.state == "stopped"


def test_neuron_hover_shows_its_heat_map(qtbot, gui):
    w, c = gui
    d = w.views.diagram
    assert d.drawable
    d.sigNeuronHovered.emit(1, 3)
    assert "unit 4" in w.views.boundary.title_label.text()
    assert "hidden 1" in d.describe(1, 3)
    d.sigNeuronHovered.emit(-1, -1)
    assert "Decision boundary" in w.views.boundary.title_label.text()


def test_toy_dataset_choices_rebuild(qtbot, gui):
    w, c = gui
    for name in ("circles", "xor", "gaussians", "moons"):
        w.controls.dataset.setCurrentIndex(w.controls.dataset.findData(name))
        assert c.dataset.name == name
    w.controls.noise.setValue(0.3)
    w.controls.test_ratio.setValue(40)
    assert len(c.dataset.y_test) == 400


def test_per_layer_activations_and_samples_axis(qtbot, gui):
    w, c = gui
    controls = w.controls
    row = controls.layers._rows[1]
    assert row.activation.isVisibleTo(w) and not row.activation.isEnabled()
    assert row.activation.currentData() == "tanh"           # shows the shared activation
    controls.per_layer.setChecked(True)
    assert row.activation.isEnabled() and not controls.activation.isEnabled()
    row.activation.setCurrentIndex(row.activation.findData("relu"))
    assert c.network.spec.hidden_activations == ("tanh", "relu")
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    c.frames.tick()
    w.plots.x_axis.setCurrentIndex(1)                      # samples seen
    for _ in range(6):
        w.plots.redraw()
    x = w.plots.c_running.getData()[0]
    assert x is not None and x.max() > 100                  # samples, not epochs
    assert "samples" in w.plots.loss.getPlotItem().getAxis("bottom").labelText


def test_controls_fit_their_pane_in_both_activation_modes(qtbot, gui):
    """Per-layer activations once made the left pane scroll sideways and clipped the remove
    buttons on a 1280 x 800 screen."""
    w, c = gui
    scroll = w.controls_scroll
    for per_layer, n_layers in ((False, 2), (True, 2), (True, 5), (False, 5)):
        w.controls.per_layer.setChecked(per_layer)
        while len(w.controls.layers._rows) < n_layers:
            w.controls.layers.add_button.click()
        qtbot.wait(50)
        assert scroll.horizontalScrollBar().maximum() == 0, (per_layer, n_layers)
        for row in w.controls.layers._rows:
            right = row.remove.mapTo(scroll.viewport(), row.remove.rect().bottomRight()).x()
            assert right <= scroll.viewport().width(), (per_layer, n_layers, right)


def test_speed_control_is_live_and_persisted(qtbot, isolated_settings, no_leaked_threads, answers, dialogs):
    from playground.gui.app import create_window
    from playground.gui.mainwindow import SPEEDS

    w, c = create_window(restore_settings=True, ask=answers)
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.speed_key() == "normal"                   # a classroom default: the spirals learn in ~15 s
        assert c.trainer.throttle == SPEEDS["normal"][1]
        w.act_play.trigger()
        wait_steps(qtbot, c, 5)
        trainer = c.trainer
        w.speed.setCurrentIndex(w.speed.findData("slow"))  # live: the running trainer slows down
        assert trainer.throttle == SPEEDS["slow"][1] and c.trainer is trainer
        w.speed.setCurrentIndex(w.speed.findData("full"))
        assert trainer.throttle is None
        w.act_reset.trigger()                              # a new trainer keeps the chosen speed
        assert c.trainer is not trainer and c.trainer.throttle is None
    finally:
        w.close()

    w2, c2 = create_window(restore_settings=True, ask=answers)
    qtbot.addWidget(w2)
    w2.show()
    try:
        assert w2.speed_key() == "full" and c2.trainer.throttle is None
        w2.act_defaults.trigger()
        assert w2.speed_key() == "normal" and c2.trainer.throttle == SPEEDS["normal"][1]
    finally:
        w2.close()


def test_kernels_load_in_the_background_when_the_window_opens(qtbot, isolated_settings, no_leaked_threads,
                                                              answers, dialogs, monkeypatch):
    """The first Play should not wait for numba: the kernels are loaded while the user looks at
    the window, quietly (the state stays "ready"), and a Play pressed meanwhile says "compiling"."""
    from playground.gui import worker
    from playground.gui.app import create_window

    monkeypatch.setattr(worker, "_WARM_DTYPES", set())       # as in a new process
    w, c = create_window(restore_settings=False, ask=answers)
    qtbot.addWidget(w)
    w.show()
    phases = []
    c.sigPhaseChanged.connect(phases.append)
    try:
        assert c.active.prewarming
        qtbot.waitUntil(lambda: not c.active.prewarming, timeout=120000)
        assert worker.is_warm(c.network) and c.phase == "ready" and phases == []
        assert c.trainer.step == 0                             # the user's network was not trained
        c.play_pause()
        qtbot.waitUntil(lambda: c.trainer.step > 0, timeout=30000)
        assert phases[0] == "training" and "compiling" not in phases
        c.stop()
        qtbot.waitUntil(lambda: not c.run_active, timeout=30000)

        monkeypatch.setattr(worker, "_WARM_DTYPES", set())
        assert c.active.prewarm()                              # Play while the kernels still load
        c.play_pause()
        assert c.phase == "compiling"
        qtbot.waitUntil(lambda: c.phase == "training", timeout=30000)     # once the run really starts
        c.stop()
        qtbot.waitUntil(lambda: not c.run_active, timeout=30000)
    finally:
        w.close()
        c.shutdown()


def test_status_epoch_total_is_dropped_once_a_continued_run_passes_it(qtbot, gui):
    w, c = gui
    w.status.set_progress(120, 0.0, 1000, 0.0, 1.0, 0.1, 300)
    assert w.status.epoch.text() == "epoch 120 / 300"
    w.status.set_progress(463, 0.0, 1000, 0.0, 1.0, 0.1, 300)      # Play again after a finished run
    assert w.status.epoch.text() == "epoch 463"
    w.status.set_progress(2, 2.37, 1000, 0.0, 1.0, 0.1, None)
    assert w.status.epoch.text() == "epoch 2.37"
