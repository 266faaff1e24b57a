"""Exports for slides: the view on show as a PNG (the whole page, or one panel: chosen by name
or the one under the mouse pointer), and the compared curves of several runs as one CSV (File
menu, and the Run history panel's button)."""
from __future__ import annotations

import csv
from pathlib import Path

from ._qt import QtGui, QtWidgets
from . import settings as st
from .export import EPOCH_FIELDS
from .filedialogs import ask_path

PANEL_TITLES = {"loss": "Loss plot", "accuracy": "Accuracy plot", "gradients": "Gradient norm plot",
                "weights": "Weight norm plot", "histograms": "Activation histograms",
                "boundary": "Decision boundary", "diagram": "Network diagram", "weight-images": "Weight images",
                "confusion": "Confusion matrix", "mistakes": "Mistakes gallery", "history": "Run history"}


def panels(w) -> dict:
    """Panel key -> widget, for the panels a slide may want on their own."""
    p, v = w.plots, w.views
    out = {"loss": p.loss, "accuracy": p.accuracy, "gradients": p.grad, "weights": p.wnorm, "histograms": p.hist,
           "boundary": v.boundary, "diagram": v.diagram, "weight-images": v.weights, "confusion": v.confusion,
           "mistakes": v.mistakes}
    history = getattr(w, "history_panel", None)
    if history is not None:
        out["history"] = history
    return out


def panel_under_pointer(w) -> str | None:
    """The key of the panel under the mouse pointer, if any."""
    widget = QtWidgets.QApplication.widgetAt(QtGui.QCursor.pos())
    by_widget = {id(wd): k for k, wd in panels(w).items()}
    while widget is not None:
        if id(widget) in by_widget:
            return by_widget[id(widget)]
        widget = widget.parentWidget()
    return None


def grab(w, key: str | None):
    """A pixmap of panel ``key`` (None: the whole page on show, every panel of it)."""
    if key is None:
        return w.pages.currentWidget().grab()
    widget = panels(w)[key]
    if not widget.isVisible():
        raise ValueError(f"The {PANEL_TITLES[key].lower()} is not on show: bring it forward first.")
    return widget.grab()


def export_view(w, key: str | None = None, path: str | None = None, *, under_pointer: bool = False):
    """File > Export view as PNG. Returns the path written, or None (cancelled, or nothing to grab)."""
    if under_pointer:
        key = panel_under_pointer(w)
        if key is None:
            w.statusBar().showMessage("Point at a panel (a plot, the boundary, the diagram...) and press the "
                                      "shortcut again.", 6000)
            return None
    stem = "view" if key is None else key
    path = path or ask_path(w, True, "Export view as PNG", str(Path(st.value("files/last", "")) / f"{stem}.png"),
                             "PNG (*.png)")
    if not path:
        return None
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    try:
        pixmap = grab(w, key)
        if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
            raise OSError(f"Cannot write {path}")
    except (OSError, ValueError) as e:
        QtWidgets.QMessageBox.warning(w, "Could not export the view", str(e))
        return None
    st.set_value("files/last", str(path.parent))
    w.statusBar().showMessage(f"Wrote {path}", 5000)
    return path


def export_runs_csv(records, path) -> Path:
    """Every record's per-epoch history in one table: run id and name first, then the epoch fields."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("run", "name", *EPOCH_FIELDS))
        for rec in records:
            for r in rec.history:
                out.writerow([rec.id, rec.name, *("" if getattr(r, f) is None else getattr(r, f) for f in EPOCH_FIELDS)])
    return path


def add_menu(w, file_menu, before) -> QtWidgets.QMenu:
    """File > Export view as PNG: the whole page, the panel under the pointer, or a chosen one."""
    m = QtWidgets.QMenu("Export view as PNG", w)
    m.menuAction().setToolTip("Save the panels on show, or just one of them, as a picture for slides.")
    w.act_export_view = m.addAction("All panels on show…")
    w.act_export_pointer = m.addAction("Panel under the pointer…")
    w.act_export_pointer.setShortcut(QtGui.QKeySequence("Ctrl+Shift+P"))
    w.act_export_pointer.setToolTip("Point at a panel and press Ctrl+Shift+P")
    w.addAction(w.act_export_pointer)             # the shortcut works with the menu closed
    m.addSeparator()
    w.export_panel_actions = {}
    for key, title in PANEL_TITLES.items():
        w.export_panel_actions[key] = m.addAction(f"{title}…")
    file_menu.insertMenu(before, m)
    w.export_view_menu = m
    w.act_export_runs_csv = QtGui.QAction("Export compared curves as CSV…", w)
    w.act_export_runs_csv.setToolTip("The per-epoch curves of every run ticked in the Run history, in one table")
    file_menu.insertAction(before, w.act_export_runs_csv)
    return m


def wire(ctrl) -> None:
    w = ctrl.w
    w.act_export_view.triggered.connect(lambda: export_view(w))
    w.act_export_pointer.triggered.connect(lambda: export_view(w, under_pointer=True))
    w.act_export_runs_csv.triggered.connect(lambda: ctrl.history_view.export_csv())
    for key, act in w.export_panel_actions.items():
        act.triggered.connect(lambda _=False, k=key: export_view(w, k))
