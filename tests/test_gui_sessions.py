"""Several runs in one window: each RunSession owns its trainer and worker threads; the controls,
views and plots show the active one, and no view code knows there is more than one."""
from __future__ import annotations

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, wait_steps  # noqa: F401

pytestmark = pytest.mark.timeout(240)


def set_hidden(w, sizes):
    s = w.controls.state()
    s.update(hidden=list(sizes), hidden_activations=["tanh"] * len(sizes))
    w.controls.change(s)            # as if typed: a structural change, which rebuilds the active run


def until_stopped(w):
    """Runs that cannot finish on their own while a slow machine runs the test."""
    w.controls.until_stopped.setChecked(True)
    assert w.controls.state()["until_stopped"]


def shown_state(w) -> str:
    return w.status.state.accessibleName().removeprefix("Training state: ")


def test_a_second_run_trains_beside_the_first_and_the_window_shows_the_active_one(qtbot, gui):
    w, c = gui
    until_stopped(w)
    first = c.active
    first_sizes = first.network.spec.sizes
    w.act_play.trigger()
    wait_steps(qtbot, c, 20)
    w.act_play.trigger()                                       # pause the first run
    qtbot.waitUntil(lambda: first.phase == "paused", timeout=10000)
    c.frames.tick()

    second = c.new_session()
    assert c.active is second and c.sessions == [first, second]
    assert second.runner_thread is not first.runner_thread and second.runner_thread.isRunning()
    assert second.trainer is not first.trainer and second.trainer.step == 0 and second.phase == "ready"
    assert shown_state(w) == "ready" and w.act_play.text() == "Play"
    set_hidden(w, [5])                                         # the controls change the active run only
    assert second.network.spec.sizes == (2, 5, 2) and first.network.spec.sizes == first_sizes
    assert w.views.diagram.sizes == (2, 5, 2) and "2-5-2" in w.windowTitle()
    assert w.plots.epoch_series.n == 0                         # the new run's (empty) curves

    w.act_play.trigger()                                       # trains the second run
    qtbot.waitUntil(lambda: second.trainer.step > 20 and second.phase == "training", timeout=30000)
    paused_at = first.trainer.step
    assert first.phase == "paused" and first.trainer.step == paused_at
    phases = []
    c.sigPhaseChanged.connect(phases.append)
    first.play_pause()                                         # both train at once, the first unseen
    qtbot.waitUntil(lambda: first.trainer.step > paused_at + 20 and len(first.trainer.history) > 0, timeout=30000)
    assert second.run_active and first.run_active and shown_state(w) == "training"
    first.play_pause()
    qtbot.waitUntil(lambda: first.phase == "paused", timeout=10000)
    assert shown_state(w) == "training" and phases == []       # the window still shows the second

    c.activate(first)                                          # the window now shows the first run
    assert w.views.diagram.sizes == first_sizes and "-".join(map(str, first_sizes)) in w.windowTitle()
    assert w.controls.state()["hidden"] == list(first_sizes[1:-1])
    assert shown_state(w) == "paused" and w.act_play.text() == "Play"
    c.frames.tick()
    assert w.plots.epoch_series.n == len(first.trainer.history) > 0     # its history, replayed
    drawn = c.snapshots_drawn
    w.act_play.trigger()                                       # the toolbar commands the first run
    qtbot.waitUntil(lambda: first.phase == "training" and c.snapshots_drawn > drawn + 2, timeout=30000)
    w.act_stop.trigger()
    qtbot.waitUntil(lambda: not first.run_active, timeout=10000)
    assert first.phase == "stopped" and second.run_active and second.phase == "training"

    threads = (second.runner_thread, second.stepper_thread)
    assert c.close_session(second)                             # stops its run and ends its threads
    assert not any(t.isRunning() for t in threads) and second.trainer.latest.state == "stopped"
    assert c.sessions == [first] and c.active is first
    assert not c.close_session(first)                          # the window keeps one run


def test_closing_the_window_stops_every_run_and_thread(qtbot, gui):
    w, c = gui
    until_stopped(w)
    first = c.active
    w.act_play.trigger()
    second = c.new_session()
    w.act_play.trigger()
    qtbot.waitUntil(lambda: first.trainer.step > 10 and second.trainer.step > 10, timeout=60000)
    assert first.run_active and second.run_active
    threads = [t for s in c.sessions for t in (s.runner_thread, s.stepper_thread)]
    assert len(set(threads)) == 4 and all(t.isRunning() for t in threads)
    w.close()
    assert not any(t.isRunning() for t in threads)
    assert first.trainer.latest.state == "stopped" and second.trainer.latest.state == "stopped"


def test_the_diagram_and_the_histograms_describe_the_same_probe_rows(qtbot, gui):
    import numpy as np

    from playground.core.monitors import layer_histograms

    w, c = gui
    net, rows = c.network, c.active.probe_x
    assert 0 < len(rows) <= 500 and len(rows) < len(c.dataset.x_train)
    train = {tuple(r) for r in c.dataset.x_train}
    assert all(tuple(r) in train for r in rows)                # training rows, as the trainer probes
    for mine, trainers in zip(layer_histograms(net, rows), c.trainer.probe_histograms()):
        np.testing.assert_array_equal(mine.a_counts, trainers.a_counts)
    c.frames.refresh_views(force=True)
    _, acts = net.forward_all(rows)
    shown = w.views.diagram.outputs
    assert len(shown) == len(acts)
    for a, mean in zip(acts, shown):
        np.testing.assert_allclose(mean, a.mean(axis=0))


def test_the_gil_budget_is_shared_so_every_run_keeps_quiet_together():
    from playground.gui.pacing import HOLD_MAX, YIELD_FOR, GilBudget

    now = [100.0]
    budget = GilBudget(clock=lambda: now[0])
    assert budget.charge(0.6 * HOLD_MAX) == 0.0                # run A: within the budget
    assert budget.charge(0.6 * HOLD_MAX) == YIELD_FOR          # run B spends the rest: B keeps quiet ...
    now[0] += YIELD_FOR / 4
    assert budget.charge(0.0) == pytest.approx(0.75 * YIELD_FOR)   # ... and so does A, until the same moment
    now[0] += YIELD_FOR
    assert budget.charge(0.5 * HOLD_MAX) == 0.0                # a fresh budget afterwards


def test_two_runs_train_at_once_while_the_window_keeps_drawing(qtbot, gui):
    from playground.core import kernels
    from playground.gui.pacing import BLAS

    w, c = gui
    w.set_speed("full")
    until_stopped(w)
    usual = kernels.get_blas_threads()
    first = c.active
    w.act_play.trigger()
    second = c.new_session()
    w.act_play.trigger()
    qtbot.waitUntil(lambda: first.trainer.step > 20 and second.trainer.step > 20, timeout=60000)
    assert BLAS.limited and (usual == 0 or kernels.get_blas_threads() == 1)    # one BLAS thread per run
    ticks, drawn = c.gaps.ticks, c.snapshots_drawn
    a, b = first.trainer.step, second.trainer.step
    # The window's timers keep firing and the plots keep receiving the shown run's snapshots.
    qtbot.waitUntil(lambda: c.gaps.ticks > ticks + 30 and c.snapshots_drawn > drawn + 10
                    and first.trainer.step > a + 100 and second.trainer.step > b + 100, timeout=60000)
    assert first.run_active and second.run_active
    first.stop()
    qtbot.waitUntil(lambda: not first.run_active, timeout=10000)
    assert not BLAS.limited and (usual == 0 or kernels.get_blas_threads() == usual)


def test_a_second_run_building_in_the_background_does_not_cancel_the_first_runs_build(qtbot, gui, monkeypatch):
    from playground.gui import builder

    w, c = gui
    monkeypatch.setattr(builder, "BIG_WEIGHTS", 1000)      # 2-40-40-2 counts as big here: cheap to build
    first = c.active
    set_hidden(w, [40, 40])
    assert first.phase == "preparing"
    second = c.new_session()                               # built from the same controls while the first builds
    assert second.phase == "preparing"
    qtbot.waitUntil(lambda: first.phase == "ready" and second.phase == "ready", timeout=30000)
    assert first.network.spec.sizes == second.network.spec.sizes == (2, 40, 40, 2)
    assert first.network is not second.network
