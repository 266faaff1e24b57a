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


def _fake_first_compile(monkeypatch, children):
    """As in a new process with no numba cache: the compile children are stand-ins that sleep
    until killed, or until the test ends them (exit 0, as a finished compile)."""
    import subprocess

    from playground.core import interim, precompile
    from playground.gui import worker

    def slow_compile(dtype, part):
        children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]))
        return children[-1]

    monkeypatch.setattr(worker, "_WARM_DTYPES", set())
    monkeypatch.setattr(precompile, "cache_is_warm", lambda: False)
    monkeypatch.setattr(precompile, "spawn", slow_compile)
    monkeypatch.setattr(precompile, "_children", {})
    monkeypatch.setattr(precompile, "_helpers", [])
    monkeypatch.setattr(interim, "_pending", set())


def test_play_during_the_first_compile_trains_at_once_and_closing_does_not_wait(
        qtbot, isolated_settings, no_leaked_threads, answers, dialogs, monkeypatch):
    from playground.core import interim
    from playground.gui.app import create_window

    children = []
    _fake_first_compile(monkeypatch, children)
    window, c = create_window(restore_settings=False, ask=answers)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(children) == 2, timeout=10000)
    c.play_pause()
    # The run trains on the numpy twin while the (two-minute) compile goes on.
    qtbot.waitUntil(lambda: c.trainer.step > 0, timeout=10000)
    assert c.phase == "training" and interim.active(c.network.dtype)
    assert all(p.poll() is None for p in children)
    window.close()
    c.shutdown()
    # Both worker threads ended without the compile finishing: it was killed, not waited for.
    assert not c.runner_thread.isRunning() and not c.stepper_thread.isRunning()
    assert all(p.poll() is not None and p.returncode != 0 for p in children)


def test_a_run_begun_during_the_first_compile_goes_on_with_the_compiled_kernels(
        qtbot, isolated_settings, no_leaked_threads, answers, dialogs, monkeypatch):
    from playground.core import interim, kernels
    from playground.gui.app import create_window

    children = []
    _fake_first_compile(monkeypatch, children)
    calls = []
    real = kernels.train_kernel

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(kernels, "train_kernel", counted)
    window, c = create_window(restore_settings=False, ask=answers)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: len(children) == 2, timeout=10000)
        c.play_pause()
        qtbot.waitUntil(lambda: c.trainer.step > 0, timeout=10000)
        assert calls == []                              # the twin trained, not the kernel
        for p in children:                              # the compile ends (this checkout's cache is warm)
            p.terminate()
        qtbot.waitUntil(lambda: not interim.active(c.network.dtype), timeout=60000)
        trained = len(calls)                            # the loader's warm-up on its spare network
        step = c.trainer.step
        qtbot.waitUntil(lambda: len(calls) > trained + 2 and c.trainer.step > step, timeout=10000)
        assert c.run_active and c.phase == "training" and c.error is None
    finally:
        window.close()
        c.shutdown()
