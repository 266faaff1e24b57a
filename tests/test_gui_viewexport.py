"""File > Export view as PNG (the whole page or one panel) writes what is on screen."""
from __future__ import annotations

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui import viewexport
from playground.gui._qt import QtGui

pytestmark = pytest.mark.timeout(120)


def test_export_the_page_or_one_panel_as_png(qtbot, gui, dialogs, tmp_path, monkeypatch):
    w, c = gui
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    asked = []
    monkeypatch.setattr(viewexport, "ask_path", lambda *a: asked.append(a[2]) or str(tmp_path / f"out{len(asked)}"))
    w.act_export_view.trigger()                                      # the menu's "All panels on show"
    page = QtGui.QImage(str(tmp_path / "out1.png"))
    ratio = page.devicePixelRatio()
    assert asked == ["Export view as PNG"] and not page.isNull()
    assert (page.width(), page.height()) == (round(w.pages.currentWidget().width() * ratio),
                                             round(w.pages.currentWidget().height() * ratio))
    w.export_panel_actions["boundary"].trigger()                     # one chosen panel
    one = QtGui.QImage(str(tmp_path / "out2.png"))
    assert (one.width(), one.height()) == (round(w.views.boundary.width() * ratio),
                                           round(w.views.boundary.height() * ratio))
    # The pixels are the panel's: the boundary's centre is its heat map, not the window's grey.
    grabbed = w.views.boundary.grab().toImage()
    assert one.pixel(one.width() // 2, one.height() // 2) == grabbed.pixel(grabbed.width() // 2, grabbed.height() // 2)
    w.export_panel_actions["confusion"].trigger()                    # not on show for a toy dataset
    assert dialogs and "not on show" in dialogs[-1][2] and not (tmp_path / "out3.png").exists()
    monkeypatch.setattr(viewexport.QtWidgets.QApplication, "widgetAt", lambda _pos: w.plots.loss.viewport())
    assert viewexport.panel_under_pointer(w) == "loss"
    path = viewexport.export_view(w, under_pointer=True)
    assert QtGui.QImage(str(path)).width() == round(w.plots.loss.width() * ratio)


def test_file_menu_exports_the_ticked_runs_curves(qtbot, gui, tmp_path, monkeypatch):
    import csv

    from playground.gui import historypanel

    w, c = gui
    for _ in range(2):
        w.act_step_epoch.trigger()
        qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    c.runs.poll()
    monkeypatch.setattr(historypanel, "ask_path", lambda *a: str(tmp_path / "runs.csv"))
    w.act_export_runs_csv.trigger()
    with open(tmp_path / "runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["name"], int(r["epoch"])) for r in rows] == [("Run 1", 1), ("Run 1", 2)]
    assert [float(r["test_accuracy"]) for r in rows] == [r.test_accuracy for r in c.trainer.history]
