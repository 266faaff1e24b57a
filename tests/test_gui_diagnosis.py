"""The diagnosis strip: a run with dead ReLUs shows it (with numbers matching a numpy forward pass)
and a working "Show me" link; the default run stays silent; without lessons the link is disabled."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, shown  # noqa: F401
from playground.core import lessons
from playground.core.diagnosis import Finding
from playground.gui._qt import QtCore, QtWidgets
from playground.gui import datafolders
from playground.gui.diagnosisbar import DiagnosisBar

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def no_lessons(monkeypatch):
    """An install without the lessons package: importing it fails."""
    import playground.core
    monkeypatch.setitem(sys.modules, "playground.core.lessons", None)
    monkeypatch.delattr(playground.core, "lessons", raising=False)


def _activate_link(qtbot, label):
    """Tab to the label's link and press Enter, as a keyboard user would."""
    label.setFocus()
    qtbot.keyClick(label, QtCore.Qt.Key_Tab)
    qtbot.keyClick(label, QtCore.Qt.Key_Return)


def _until_stopped(w, **values):
    s = w.controls.state()
    s.update(values, until_stopped=True)
    w.controls.change(s)


def test_dead_relus_show_a_diagnosis_whose_link_opens_the_lesson(qtbot, gui, shared_mnist_dir):
    w, c = gui
    w.set_speed("full")
    # Adam at 0.5 kills every ReLU of the spirals net within a few epochs.
    _until_stopped(w, activation="relu", hidden_activations=["relu", "relu"], eta=0.5)
    w.act_play.trigger()
    qtbot.waitUntil(lambda: w.diagnosis.row_for("dead-relus") is not None, timeout=60000)
    w.act_play.trigger()                                  # pause: the weights stay as diagnosed
    qtbot.waitUntil(lambda: c.phase == "paused", timeout=10000)
    text = w.diagnosis.text_for("dead-relus")
    [f] = [f for f in w.diagnosis.findings if f.key == "dead-relus"]
    # The share the strip names, against the paused network's own probe rows in numpy.
    a = c.network.forward_all(c.active.probe_x)[1][1 + f.layer]
    dead = float(np.mean(np.all(np.asarray(a) <= 0, axis=0)))
    assert dead >= 0.5 and text.startswith(f"⚠ {dead * 100:.0f} % of the ReLUs in hidden {f.layer + 1}")
    assert text.endswith(f"Show me: {lessons.load('dead-relus').title}")
    w.act_reset.trigger()                                 # a new network: nothing diagnosed yet
    qtbot.waitUntil(lambda: not w.diagnosis.isVisible(), timeout=5000)
    w.diagnosis.set_findings([f])
    datafolders.remember("mnist", str(shared_mnist_dir))      # the lesson trains on MNIST
    label = w.diagnosis.row_for("dead-relus").findChild(QtWidgets.QLabel, "diagnosisText")
    with qtbot.waitSignal(w.lesson_menu.sigStarted, timeout=30000) as sig:
        _activate_link(qtbot, label)
    assert sig.args == ["dead-relus"]                     # the link started the lesson itself
    assert w.lesson_menu.panel.dock.isVisible()
    w.compare.comparison.stop_all()


def test_the_starting_run_trains_without_a_diagnosis(qtbot, gui):
    w, c = gui
    w.set_speed("full")
    seen = []
    c.frames.timer.timeout.connect(lambda: seen.append(w.diagnosis.isVisible()))
    w.act_play.trigger()
    qtbot.waitUntil(lambda: c.phase == "done", timeout=120000)
    c.diagnosis.tick(force=True)
    assert c.trainer.history[-1].test_accuracy > 0.9 and len(seen) > 20 and not any(seen)
    assert not w.diagnosis.isVisible()


def test_without_lessons_the_link_is_disabled_and_a_dismissed_finding_returns_only_after_clearing(
        qtbot, no_lessons):
    bar = shown(qtbot, DiagnosisBar(), 700, 60)
    f = Finding("diverged", "loss is NaN: learning rate too high (η = 1000)", "learning-rates")
    bar.set_findings([f])
    row = bar.row_for("diverged")
    assert bar.isVisible() and bar.text_for("diverged") == \
        "⚠ Loss is NaN: learning rate too high (η = 1000). Show me: Learning rates"
    label = row.findChild(QtWidgets.QLabel, "diagnosisText")
    assert "<a " not in label.text()                   # no link to a lesson that is not there
    with qtbot.assertNotEmitted(bar.sigOpenLesson):
        _activate_link(qtbot, label)
    close = row.findChild(QtWidgets.QToolButton)
    qtbot.mouseClick(close, QtCore.Qt.LeftButton)
    assert not bar.isVisible()
    bar.set_findings([f])                     # still there: stays dismissed
    assert not bar.isVisible()
    bar.set_findings([])
    bar.set_findings([f])                     # cleared, then back: shown again
    assert bar.isVisible() and bar.row_for("diverged") is not None
