"""Export plots (PNG/SVG through pyqtgraph's exporters) and metrics (CSV)."""
from __future__ import annotations

import csv
from pathlib import Path

import logging

from ._qt import QtCore, QtGui
import pyqtgraph.exporters as exporters  # noqa: E402  (after _qt set the binding)

log = logging.getLogger(__name__)


def _svg_via_qt(widget, out: Path) -> None:
    """Vector SVG straight from Qt's painter. pyqtgraph 0.14's SVGExporter cannot parse the path
    syntax newer Qt writes (pyqtgraph issue #3485), so this is the fallback."""
    from PySide6.QtSvg import QSvgGenerator

    gen = QSvgGenerator()
    gen.setFileName(str(out))
    gen.setSize(widget.size())
    gen.setViewBox(QtCore.QRect(QtCore.QPoint(0, 0), widget.size()))
    gen.setTitle(out.stem)
    painter = QtGui.QPainter(gen)
    try:
        widget.render(painter)
    finally:
        painter.end()


def export_plots(plot_widgets: dict, path: str | Path, fmt: str) -> list[Path]:
    """Write one file per plot: <stem>-loss.png, <stem>-accuracy.png, ... Returns the paths written."""
    path = Path(path)
    stem = path.with_suffix("")
    written = []
    for name, widget in plot_widgets.items():
        out = Path(f"{stem}-{name}.{fmt}")
        item = widget.getPlotItem() if hasattr(widget, "getPlotItem") else widget
        if fmt == "svg":
            try:
                exporters.SVGExporter(item).export(str(out))
            except Exception as e:
                log.info("pyqtgraph SVG export failed (%s); using Qt's SVG generator", e)
                _svg_via_qt(widget, out)
            written.append(out)
            continue
        else:
            exp = exporters.ImageExporter(item)
            exp.parameters()["width"] = max(1200, int(item.sceneBoundingRect().width() * 2))
        exp.export(str(out))
        written.append(out)
    return written


EPOCH_FIELDS = ("epoch", "training_loss", "training_accuracy", "validation_loss", "validation_accuracy",
                "test_loss", "test_accuracy", "eta", "seconds")


def export_metrics_csv(history, path: str | Path) -> Path:
    path = Path(path)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(EPOCH_FIELDS)
        for rec in history:
            w.writerow(["" if getattr(rec, f) is None else getattr(rec, f) for f in EPOCH_FIELDS])
    return path
