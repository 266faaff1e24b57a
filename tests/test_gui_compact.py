"""At 1280 x 800 the first MNIST view stays readable: the banner is one compact row that goes by
itself (a note) and the plots keep the height their axes need."""
from __future__ import annotations

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtGui
from playground.gui.mainwindow import default_splitter
from playground.gui.plots import PLOT_MIN_HEIGHT

pytestmark = pytest.mark.timeout(240)


def tick_labels(plot_widget, side="left") -> set[str]:
    """The tick labels the axis actually draws (pyqtgraph leaves out those that do not fit)."""
    axis = plot_widget.getPlotItem().getAxis(side)
    image = QtGui.QImage(10, 10, QtGui.QImage.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return {text for _, _, text in specs[2]}


def test_the_mnist_switch_at_1280x800_keeps_the_plots_readable(qtbot, gui, shared_mnist_dir, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    w, c = gui
    w.resize(1264, 752)                       # a 1280 x 800 screen less the window frame and panel
    default_splitter(w)
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("mnist"))
    qtbot.waitUntil(lambda: c.dataset.name == "mnist" and w.banner.isVisible(), timeout=30000)
    qtbot.wait(200)
    banner, undo = w.banner, w.banner.action_button("Undo")
    # One row: Undo beside the text, not on a row of its own under it.
    assert undo.geometry().top() < banner.text.geometry().center().y()
    for plot in (w.plots.loss, w.plots.accuracy, w.plots.grad, w.plots.wnorm):
        assert plot.height() >= PLOT_MIN_HEIGHT
    labels = tick_labels(w.plots.accuracy)
    assert {"0", "100"} <= labels and len(labels) >= 3, labels     # both ends and a step between


def test_a_note_goes_by_itself_and_an_error_stays(qtbot, gui):
    w, _ = gui
    b = w.banner
    b.timeout.setInterval(50)
    b.show_message("info", "Learning rate lowered.", [])
    assert b.isVisible()
    qtbot.waitUntil(lambda: not b.isVisible(), timeout=2000)
    b.show_message("error", "Training diverged.", [("reset", "Reset")])
    qtbot.wait(300)
    assert b.isVisible() and not b.timeout.isActive()


def test_at_1280x800_the_plots_fit_and_a_lesson_note_does_not_push_the_window_off_screen(qtbot, gui):
    w, c = gui
    w.resize(1264, 752)
    default_splitter(w)
    qtbot.wait(100)
    assert w.plots_scroll.verticalScrollBar().maximum() == 0          # every plot in view, no scrolling
    assert w.plots.loss.height() >= PLOT_MIN_HEIGHT
    w.lesson_menu.actions["symmetry"].trigger()                       # a note above the pages
    qtbot.waitUntil(lambda: w.lesson_menu.panel.isVisible(), timeout=5000)
    qtbot.wait(100)
    assert w.height() <= 752 and w.minimumSizeHint().height() <= 752
    w.compare.comparison.stop_all()
