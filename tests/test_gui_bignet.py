"""Big networks in the window (issue 7, items 8 and 9): built off the GUI thread with "preparing"
shown, a warning before building one too slow to watch, and a close during the first compile
that does not wait for it."""
from __future__ import annotations

import sys
import threading

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401

from playground.gui._qt import QtCore, QtWidgets


def set_hidden(controller, sizes):
    s = controller.w.controls.state()
    s.update(hidden=list(sizes), hidden_activations=["relu"] * len(sizes), activation="relu")
    controller.w.controls.set_state(s)


def test_a_big_network_is_built_in_another_thread_while_the_window_says_preparing(qtbot, gui, monkeypatch):
    from playground.gui import builder

    window, c = gui
    monkeypatch.setattr(builder, "BIG_WEIGHTS", 1000)      # 2-40-40-2 counts as big here: cheap to build
    built_in = []
    network = c.backend.network

    def recording_network(spec, seed):
        built_in.append(threading.current_thread() is threading.main_thread())
        return network(spec, seed)

    monkeypatch.setattr(c.backend, "network", recording_network)
    phases = []
    c.sigPhaseChanged.connect(phases.append)
    set_hidden(c, [40, 40])
    assert c.rebuild(ask=False)
    assert c.phase == "preparing" and window.status.state.text() == "preparing…"
    assert not window.act_play.isEnabled()                 # nothing to train until it is there
    qtbot.waitUntil(lambda: c.trainer is not None and c.phase == "ready", timeout=30000)
    assert built_in == [False] and c.build.last_thread.startswith("nn-build")
    assert c.network.spec.sizes == (2, 40, 40, 2) and window.act_play.isEnabled()
    assert phases[:2] == ["preparing", "ready"]

    # A newer size change wins over a build still in flight.
    set_hidden(c, [50, 50])
    c.rebuild(ask=False)
    set_hidden(c, [60])
    c.rebuild(ask=False)
    qtbot.waitUntil(lambda: c.trainer is not None and not c.build.pending, timeout=30000)
    assert c.network.spec.sizes == (2, 60, 2)
    qtbot.wait(200)                                        # the superseded result, if late, is dropped
    assert c.network.spec.sizes == (2, 60, 2)


def test_building_a_network_too_slow_to_watch_asks_first_in_a_real_dialog(qtbot, isolated_settings,
                                                                          no_leaked_threads):
    from playground.gui.app import create_window

    window, c = create_window(restore_settings=False)      # the real question dialog
    qtbot.addWidget(window)
    window.show()
    try:
        seen = []

        def answer(button):
            box = QtWidgets.QApplication.activeModalWidget()
            seen.append((box.windowTitle(), box.text()))
            box.button(button).click()

        before, dataset = c.network.spec.sizes, c.dataset
        set_hidden(c, [4096] * 4)
        s = c.w.controls.state()
        s["dataset"] = "circles"                          # loaded to estimate the epoch, then put back
        c.w.controls.set_state(s)
        QtCore.QTimer.singleShot(200, lambda: answer(QtWidgets.QMessageBox.Cancel))
        assert c.rebuild() is False
        assert seen and seen[0][0] == "A very large network"
        text = seen[0][1]
        assert "50.3 million weights" in text and "one epoch" in text and "will take about" in text
        assert c.network.spec.sizes == before and c.w.controls.state()["hidden"] == list(before[1:-1])
        assert c.dataset is dataset and c.w.controls.state()["dataset"] == dataset.name
        assert window.status.state.text() == "ready"

        set_hidden(c, [40])                               # a small change is not questioned
        assert c.rebuild() is True and len(seen) == 1
    finally:
        window.close()
        c.shutdown()


def test_closing_during_the_first_compile_does_not_wait_for_it(qtbot, isolated_settings, no_leaked_threads,
                                                              answers, dialogs, monkeypatch):
    import subprocess

    from playground.core import precompile
    from playground.gui import worker
    from playground.gui.app import create_window

    children = []

    def slow_compile(dtype, part):                          # a compile that would take two minutes
        children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]))
        return children[-1]

    monkeypatch.setattr(worker, "_WARM_DTYPES", set())     # as in a new process with no numba cache
    monkeypatch.setattr(precompile, "cache_is_warm", lambda: False)
    monkeypatch.setattr(precompile, "spawn", slow_compile)
    monkeypatch.setattr(precompile, "_children", {})
    monkeypatch.setattr(precompile, "_helpers", [])
    window, c = create_window(restore_settings=False, ask=answers)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(children) == 2, timeout=10000)
    c.play_pause()
    assert c.phase == "compiling"
    window.close()
    c.shutdown()
    # Both worker threads ended without the compile finishing: it was killed, not waited for.
    assert not c.runner_thread.isRunning() and not c.stepper_thread.isRunning()
    assert all(p.poll() is not None and p.returncode != 0 for p in children)
