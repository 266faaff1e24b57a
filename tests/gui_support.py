"""Fixtures for the GUI tests (imported by tests/test_gui_*.py; conftest.py sets QT_QPA_PLATFORM).

* settings go to a temporary INI folder, never the user's real QSettings;
* datasets are never downloaded and the user's cache is never touched;
* a test fails if it leaves a Python thread or one of the window's QThreads running (but the
  heap trimmer, which the first window of the process starts for the process's life).
"""
from __future__ import annotations

import threading
import time

import pytest

from playground.gui._qt import QtCore
from playground.gui.heap import TRIM_THREAD


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    QtCore.QCoreApplication.setOrganizationName("NN Playground")
    QtCore.QCoreApplication.setApplicationName("nn-playground")
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.IniFormat)
    folder = tmp_path / "settings"
    folder.mkdir()
    QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, str(folder))
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NN_PLAYGROUND_DATA", raising=False)
    monkeypatch.setenv("NN_PLAYGROUND_HISTORY", str(tmp_path / "data" / "history.json"))
    yield folder


@pytest.fixture
def no_leaked_threads():
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        extra = [t for t in threading.enumerate()
                 if t not in before and t.is_alive() and t.name != TRIM_THREAD]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra, f"test left threads running: {[t.name for t in extra]}"


class Answers:
    """Stands in for the "Reset the network?" question; records what was asked."""

    def __init__(self, answer=True):
        self.answer = answer
        self.asked = []

    def __call__(self, title, text):
        self.asked.append(title)
        return self.answer


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def dialogs(monkeypatch):
    """Modal message boxes would block an offscreen test forever: record them instead."""
    from playground.gui._qt import QtWidgets

    seen = []
    box = QtWidgets.QMessageBox
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(box, name, lambda *a, _n=name, **k: seen.append((_n, *a[1:3])) or box.Ok)
    monkeypatch.setattr(box, "question", lambda *a, **k: seen.append(("question", *a[1:3])) or box.Cancel)
    monkeypatch.setattr(box, "about", lambda *a, **k: seen.append(("about", *a[1:3])))
    return seen


@pytest.fixture
def gui(qtbot, isolated_settings, no_leaked_threads, answers, dialogs):
    """The real main window with its controller, default settings, closed (and checked) at the end."""
    from playground.gui.app import create_window

    window, controller = create_window(restore_settings=False, ask=answers)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window, controller
    window.close()
    controller.shutdown()
    for th in (controller.runner_thread, controller.stepper_thread):
        assert th.wait(20000), f"{th.objectName()} still running"
        assert not th.isRunning()


def wait_steps(qtbot, controller, n=1, timeout=150000):
    qtbot.waitUntil(lambda: controller.trainer.step >= n and controller.snapshots_drawn > 0, timeout=timeout)


def shown(qtbot, widget, width, height):
    """``widget`` on its own, at the given size, shown and exposed (closed when the test ends)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def make_panel(qtbot):
    """A PlotsPanel on its own, shown, for a three-layer tanh / ReLU / softmax network."""
    from playground.gui.plots import PlotsPanel

    p = shown(qtbot, PlotsPanel(), 800, 700)
    p.configure(["W1", "W2", "W3"], ["hidden 1 (Tanh)", "hidden 2 (ReLU)", "output (Softmax)"],
                [(-1.0, 1.0), (0.0, None), (0.0, 1.0)])
    return p
