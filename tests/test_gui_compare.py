"""Twin runs in the window: the Compare dialog makes the twins it says, they train at once in
step (a PaceGate), the Compare page overlays them under their names, and each twin can be paused,
stopped, removed or made the main run without leaving a thread behind."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.core.compare import twins
from playground.core.runspec import RunSpec
from playground.gui import datafolders, theme
from playground.gui._qt import QtCore, QtWidgets
from playground.gui.compare import CompareDialog, open_comparison

Qt = QtCore.Qt
pytestmark = pytest.mark.timeout(240)


def base_run(c, **changes) -> RunSpec:
    """The window's run, training until stopped (a slow machine must not see a twin finish)."""
    return RunSpec.from_settings({**c.applied, "until_stopped": True, **changes})


def replace_runs(c, twins_):
    """Open ``twins_`` and close every run there was, as a class moving to the next lesson does."""
    old = list(c.sessions)
    comp = open_comparison(c, twins_)
    for s in old:
        c.close_session(s)
    return comp


def drive_dialog(qtbot, trigger, steps):
    """Open a modal dialog with ``trigger`` and run ``steps(dialog)`` inside its event loop. The
    dialog is closed whatever happens, so a failing step fails the test instead of hanging it."""
    seen = {}

    def run():
        dlg = QtWidgets.QApplication.activeModalWidget()
        seen["dialog"] = dlg
        try:
            steps(dlg)
        except BaseException as e:          # re-raised in the test, outside the dialog's loop
            seen["error"] = e
        finally:
            if dlg is not None and dlg.isVisible():
                dlg.reject()

    QtCore.QTimer.singleShot(0, run)
    trigger()
    if "error" in seen:
        raise seen["error"]
    return seen.get("dialog")


def wait_all_trained(qtbot, comparison, samples, timeout=150000):
    qtbot.waitUntil(lambda: all(s.trainer.samples_seen >= samples for s in comparison.sessions), timeout=timeout)


def test_the_dialog_makes_the_twins_it_says_and_starts_them(qtbot, gui):
    w, c = gui
    eta = c.applied["eta"]
    shown = {}

    def steps(dlg):
        assert isinstance(dlg, CompareDialog)
        dlg.key_box.setFocus()
        qtbot.keyClicks(dlg.key_box, "Learning")          # typed, as a person picks from the list
        assert dlg.key == "eta"
        shown["suggested"] = [f.currentText() for f in dlg.fields]
        third = dlg.fields[2]
        third.lineEdit().selectAll()
        qtbot.keyClicks(third.lineEdit(), "abc")
        assert dlg.error.isVisible() and not dlg.ok_button.isEnabled()
        shown["error"] = dlg.error.text()
        third.lineEdit().selectAll()
        qtbot.keyClicks(third.lineEdit(), "2.5")
        assert not dlg.error.isVisible() and dlg.ok_button.isEnabled()
        assert not dlg.note.isVisible()                     # same shapes: same start, nothing to say
        qtbot.mouseClick(dlg.ok_button, Qt.LeftButton)

    drive_dialog(qtbot, lambda: qtbot.keyClick(w, Qt.Key_K, Qt.ControlModifier), steps)
    assert shown["suggested"] == [f"{eta * 0.1:.3g}", f"{eta:g}", f"{eta * 10:.3g}"]
    assert "abc" in shown["error"]
    comp = w.compare.comparison
    assert comp is not None and w.pages.currentWidget() is w.compare
    expected = [eta * 0.1, eta, 2.5]
    assert [s.trainer.config.eta for s in comp.sessions] == pytest.approx(expected)
    assert [t.label for t in comp.twins] == [f"η {v:g}" for v in expected]
    assert len(c.sessions) == 4 and all(s in c.sessions for s in comp.sessions)
    # Only eta differs: same initial weights, all different sessions and threads.
    assert len(set(comp.init_hashes)) == 1 and len(comp.init_hashes) == 3
    assert len({s.runner_thread for s in comp.sessions}) == 3
    qtbot.waitUntil(lambda: all(s.trainer.samples_seen > 0 for s in comp.sessions), timeout=150000)


def test_the_dialog_says_when_the_twins_cannot_start_alike(qtbot, gui):
    w, c = gui
    dlg = CompareDialog(base_run(c), w)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.key_box.setCurrentIndex(dlg.key_box.findData("hidden"))
    assert [f.currentText() for f in dlg.fields] == ["12-12", "12-12-12"]
    assert dlg.note.isVisible() and "layer sizes" in dlg.note.text()
    qtbot.mouseClick(dlg.add_button, Qt.LeftButton)
    qtbot.mouseClick(dlg.add_button, Qt.LeftButton)
    assert len(dlg.fields) == 4 and not dlg.add_button.isEnabled()      # at most four twins
    qtbot.keyClicks(dlg.fields[2].lineEdit(), "30")
    qtbot.keyClicks(dlg.fields[3].lineEdit(), "0-1")
    assert dlg.error.isVisible() and not dlg.ok_button.isEnabled()
    dlg._remove_buttons[3].click()
    assert not dlg.error.isVisible() and [t.label for t in dlg.twins] == ["12-12 hidden", "12-12-12 hidden",
                                                                         "30 hidden"]
    dlg.key_box.setCurrentIndex(dlg.key_box.findData("activation"))
    assert [f.currentData() for f in dlg.fields] == ["sigmoid", "relu"] and not dlg.note.isVisible()


def test_three_twins_train_at_once_and_keep_pace(qtbot, gui):
    w, c = gui
    w.set_speed("full")
    # Batch 1 costs far more per sample than batch 50: without the gate the race is lopsided.
    comp = open_comparison(c, twins(base_run(c), "batch_size", [1, 10, 50]))
    lead = comp.gate.lead_samples
    n_train = comp.sessions[0].trainer.n_train
    spreads = []

    def spread():
        seen = [s.trainer.samples_seen for s in comp.sessions]
        spreads.append(max(seen) - min(seen))
        return min(seen) >= 6 * n_train

    qtbot.waitUntil(spread, timeout=150000)
    assert all(s.phase == "training" for s in comp.sessions)
    # A twin may start a mini-batch within its lead, and reads of three moving counters are not
    # one instant: one batch of slack.
    assert max(spreads) <= lead + 50, (lead, max(spreads))
    page = w.compare
    qtbot.waitUntil(lambda: all(tr.snaps.n > 3 for tr in page.traces.values()), timeout=10000)


def test_the_page_names_each_twin_by_what_differs(qtbot, gui):
    w, c = gui
    comp = open_comparison(c, twins(base_run(c), "activation", ["sigmoid", "tanh", "relu"]))
    page = w.compare
    assert page.overlay.legend_labels() == ["sigmoid", "tanh", "ReLU"]
    key = page.overlay.key.text()
    assert all(label in key for label in ("sigmoid", "tanh", "ReLU")) and "run 1" not in key
    assert "activation" in page.summary.text()
    assert [r.info.title.text() for r in page.multiples.rows] == ["<b>sigmoid</b>", "<b>tanh</b>", "<b>ReLU</b>"]
    colours = [cv.opts["pen"].color().name().upper() for cv in page.overlay.loss_curves]
    assert colours == theme.PALETTE[:3]                    # Okabe-Ito: told apart by colour-blind eyes too
    wait_all_trained(qtbot, comp, 2 * comp.sessions[0].trainer.n_train)
    qtbot.waitUntil(lambda: all(tr.epochs.n > 0 and tr.snaps.n > 2 for tr in page.traces.values()), timeout=20000)
    # Every twin's curves reach the plots, and the small multiples share their axes.
    qtbot.waitUntil(lambda: all(cv.xData is not None and len(cv.xData) > 2 for cv in page.overlay.loss_curves), timeout=20000)
    views = [np.ravel(r.grad.getPlotItem().getViewBox().viewRange()) for r in page.multiples.rows]
    assert all(v == pytest.approx(views[0]) for v in views), views
    qtbot.waitUntil(lambda: all(r.boundary.updates > 0 for r in page.multiples.rows), timeout=20000)
    comp.stop_all()
    qtbot.waitUntil(lambda: not any(s.run_active for s in comp.sessions), timeout=20000)
    # The run history names them the same way.
    qtbot.waitUntil(lambda: len(c.runs.records) >= 3, timeout=10000)
    assert [c.runs.record_of(s).name for s in comp.sessions] == ["sigmoid", "tanh", "ReLU"]


def test_pause_stop_remove_and_promote_a_twin(qtbot, gui):
    w, c = gui
    main = c.active
    comp = open_comparison(c, twins(base_run(c), "activation", ["sigmoid", "tanh", "relu"]))
    page = w.compare
    sig, tanh, relu = comp.sessions
    wait_all_trained(qtbot, comp, 1)
    rows = {r.info.name: r.info for r in page.multiples.rows}

    qtbot.mouseClick(rows["sigmoid"].pause, Qt.LeftButton)
    qtbot.waitUntil(lambda: sig.phase == "paused" and sig.trainer.latest.state == "paused", timeout=10000)
    frozen = sig.trainer.samples_seen
    moving = tanh.trainer.samples_seen
    qtbot.waitUntil(lambda: tanh.trainer.samples_seen > moving + 1000, timeout=20000)   # the others go on
    assert sig.trainer.samples_seen == frozen
    qtbot.waitUntil(lambda: rows["sigmoid"].pause.text() == "Resume", timeout=2000)
    qtbot.mouseClick(rows["sigmoid"].pause, Qt.LeftButton)
    qtbot.waitUntil(lambda: sig.trainer.samples_seen > frozen, timeout=20000)

    qtbot.mouseClick(rows["tanh"].stop, Qt.LeftButton)
    qtbot.waitUntil(lambda: not tanh.run_active, timeout=10000)
    assert tanh.phase == "stopped" and tanh.trainer.latest.state == "stopped"

    threads = (relu.runner_thread, relu.stepper_thread)
    qtbot.mouseClick(rows["ReLU"].remove, Qt.LeftButton)
    assert relu not in c.sessions and relu not in comp.sessions
    assert not any(t.isRunning() for t in threads)
    assert relu.trainer not in comp.gate.members
    assert [r.info.name for r in page.multiples.rows] == ["sigmoid", "tanh"]
    assert page.overlay.legend_labels() == ["sigmoid", "tanh"]

    qtbot.mouseClick(rows["sigmoid"].promote, Qt.LeftButton)
    assert c.active is sig and w.pages.currentWidget() is w.splitter
    assert w.controls.state()["activation"] == "sigmoid" and w.controls.state()["hidden_activations"][0] == "sigmoid"
    assert w.act_play.text() == "Pause"                   # the toolbar now commands the promoted twin
    w.act_play.trigger()
    qtbot.waitUntil(lambda: sig.phase == "paused", timeout=10000)

    qtbot.mouseClick(page.close_button, Qt.LeftButton)     # the main run made of a twin stays
    assert page.comparison is None and sig in c.sessions and tanh not in c.sessions
    assert c.sessions == [main, sig]


def test_a_new_comparison_replaces_the_old_one_and_the_window_stays_responsive(qtbot, gui):
    w, c = gui
    first = open_comparison(c, twins(base_run(c), "activation", ["sigmoid", "relu"]))
    old_threads = [t for s in first.sessions for t in (s.runner_thread, s.stepper_thread)]
    wait_all_trained(qtbot, first, 1)
    second = open_comparison(c, twins(base_run(c), "optimizer", ["sgd", "momentum", "adam"]))
    assert not any(t.isRunning() for t in old_threads) and len(c.sessions) == 4
    assert w.compare.comparison is second
    wait_all_trained(qtbot, second, 1)
    c.gaps.reset()
    qtbot.wait(1500)
    # Generous: a loaded test machine; `nn-playground bench --ui N --twins 3` gives the figures.
    assert c.gaps.ticks > 30 and c.gaps.max_gap_ms < 1000, (c.gaps.ticks, c.gaps.max_gap_ms)


def test_a_fast_twin_still_draws_its_curves_from_the_first_epoch(qtbot, gui, shared_mnist_dir):
    """A small net on 5,000 digits trains an epoch in a few chunks of 30 ms: the page draws every
    snapshot it published, not the one newest at each frame."""
    from playground.core import lessons
    w, c = gui
    pair = lessons.load("vanishing-gradients").twins_or_run(data_dir=str(shared_mnist_dir))
    datafolders.remember("mnist", str(shared_mnist_dir))
    comp = open_comparison(c, pair)
    qtbot.waitUntil(lambda: all(s.phase == "done" for s in comp.sessions), timeout=60000)
    page = w.compare
    qtbot.waitUntil(lambda: all(tr.snaps.n >= 40 and tr.snaps.x(False)[-1] >= 2.0 - 1e-9
                                for tr in page.traces.values()), timeout=5000)
    for tr in page.traces.values():
        x = tr.snaps.x(False)
        assert x[0] <= 0.1 and x[-1] == pytest.approx(2.0) and np.all(np.diff(x) >= 0)


def test_a_replaced_comparison_lets_its_runs_go(qtbot, gui):
    """Each lesson replaces the last one's twins: their sessions, networks and data must be freed
    (the closed comparison and the page's redraw bookkeeping kept them all, 60 MB a MNIST lesson)."""
    import gc
    import weakref

    from playground.gui._qt import QtCore
    w, c = gui
    gone = []
    for activation in ("sigmoid", "tanh", "relu"):
        old = list(c.sessions)
        comp = open_comparison(c, twins(base_run(c), "activation", [activation, "elu"]))
        for s in old:
            gone.append(weakref.ref(s))
            c.close_session(s)
        qtbot.waitUntil(lambda: all(s.trainer.step > 0 for s in comp.sessions), timeout=30000)
        qtbot.wait(100)
    del old, s, comp
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)
    gc.collect()
    assert [r() for r in gone if r() is not None] == []


def test_closed_runs_free_their_data_although_a_quiet_moment_froze_them(qtbot, gui):
    """The window freezes what lives at a quiet moment out of the collector's sight (gcpolicy), and
    a closed run's trainer and data hang in reference cycles: without a collection after the close
    they stayed until the next network was built (a MNIST lesson's 45 MB through the next lesson)."""
    import weakref

    from playground.gui import gcpolicy
    w, c = gui
    # Data of their own: the window's run (spirals) must not share it.
    comp = open_comparison(c, twins(base_run(c, dataset="circles"), "activation", ["sigmoid", "tanh"]))
    qtbot.waitUntil(lambda: all(s.trainer.step > 0 for s in comp.sessions), timeout=30000)
    data = [weakref.ref(s.dataset.x_train) for s in comp.sessions]
    trainers = [weakref.ref(s.trainer) for s in comp.sessions]
    gcpolicy.install().settle()            # a quiet moment while they train: frozen now
    del comp
    replace_runs(c, twins(base_run(c, dataset="moons"), "activation", ["relu", "elu"]))
    qtbot.waitUntil(lambda: all(r() is None for r in data + trainers), timeout=5000)


def test_a_closed_run_is_not_kept_by_the_views_that_showed_it(qtbot, gui, shared_mnist_dir):
    """The test-set analysis (confusion tab) and the drawing pad each kept the last run they had
    read, with its network and 45 MB of MNIST, after that run was closed."""
    import weakref

    w, c = gui
    datafolders.remember("mnist", str(shared_mnist_dir))
    toys = base_run(c, dataset="moons")
    spec = base_run(c, dataset="mnist", hidden=[16], hidden_activations=["relu"], data_dir=str(shared_mnist_dir))
    comp = open_comparison(c, twins(spec, "eta", [0.1, 0.5]))
    qtbot.waitUntil(lambda: all(s.trainer.step > 0 for s in comp.sessions), timeout=30000)
    shown = comp.sessions[0]
    c.activate(shown)
    w.pages.setCurrentIndex(0)
    w.views.tabs.setCurrentWidget(w.views.confusion)
    qtbot.waitUntil(lambda: c.frames._analysis_result is not None, timeout=10000)
    with qtbot.waitSignal(w.draw.sigRead, timeout=10000):
        w.pages.setCurrentWidget(w.draw)
    assert w.draw._reader.network is shown.network          # the run on show reads the drawing
    w.pages.setCurrentIndex(0)
    gone = [weakref.ref(x) for s in comp.sessions for x in (s.network, s.dataset.x_test)]
    del comp, shown
    replace_runs(c, twins(toys, "activation", ["relu", "elu"]))
    qtbot.waitUntil(lambda: all(r() is None for r in gone), timeout=5000)


def test_the_replay_bar_follows_the_run_put_on_show_at_once(qtbot, gui):
    """The replay bar polled the run on show every 250 ms: after another run was put on show it
    still offered the old run's moments for a while, and it held the old run (with its data)
    when that run closed, long enough for the window to freeze it out of the collector's sight."""
    w, c = gui
    comp = open_comparison(c, twins(base_run(c, dataset="circles"), "activation", ["sigmoid", "tanh"]))
    qtbot.waitUntil(lambda: all(len(s.checkpoints.checkpoints()) >= 3 for s in comp.sessions), timeout=30000)
    first, second = comp.sessions
    c.activate(first)
    c.replay.refresh()
    c.replay.show_checkpoint(0)                       # a past moment of the first twin on show
    assert c.replay.current is not None
    c.activate(second)
    assert c.replay.current is None                   # live again, without waiting for a timer
    assert w.replay_bar.slider.maximum() == len(second.checkpoints.checkpoints())
    assert c.replay._store is second.checkpoints
