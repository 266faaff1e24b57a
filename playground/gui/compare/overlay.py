"""Loss and accuracy of every twin on one pair of axes: one colour per twin, and a key above the
plots that names what differs ("Sigmoid", "ReLU"), not "run 1" / "run 2"."""
from __future__ import annotations

import html

import numpy as np

from .._qt import QtWidgets, pg
from .. import theme
from ..axes import SpacedAxis
from ..plots import apply_view_now, set_curve_data
from ..ranges import StickyRange


def plot_widget(title: str, x_label: str, y_label: str, *, left_axis=None, min_size=(160, 110)):
    """A styled plot widget with its legend box hidden (keys above the plots name the curves)."""
    axes = {"bottom": SpacedAxis("bottom")}
    if left_axis is not None:
        axes["left"] = left_axis
    w = pg.PlotWidget(axisItems=axes)
    w.setMinimumSize(*min_size)
    item = w.getPlotItem()
    theme.style_plot(item, title, x_label, y_label).hide()
    item.hideButtons()
    item.setMenuEnabled(False)
    for ax, text in (("left", y_label), ("bottom", x_label)):
        item.getAxis(ax).enableAutoSIPrefix(False)
        if not text:
            item.getAxis(ax).showLabel(False)      # an empty title would still take its room
    return w


def key_html(entries) -> str:
    """``entries``: (label, colour) pairs, as a one-line key with a coloured bar before each."""
    return "&nbsp;&nbsp;&nbsp; ".join(
        f"<span style='color:{c}'>━━</span>&nbsp;<b>{html.escape(label).replace(' ', '&nbsp;')}</b>"
        for label, c in entries)


class OverlayPlots(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.key = QtWidgets.QLabel()
        self.key.setWordWrap(True)
        self.key.setAccessibleName("Twin runs key")
        self.key.setToolTip("One colour per twin: the label says the setting it differs in")
        self.loss = plot_widget("Training loss", "epoch", "mean cost")
        self.accuracy = plot_widget("Test accuracy", "epoch", "accuracy (%)")
        lay.addWidget(self.key, 0, 0)
        lay.addWidget(self.loss, 1, 0)
        lay.addWidget(self.accuracy, 2, 0)
        lay.setRowStretch(1, 1)
        lay.setRowStretch(2, 1)
        self.r_loss = StickyRange(self.loss.getPlotItem())
        self.accuracy.getPlotItem().disableAutoRange()
        self._acc_floor = None
        self.accuracy.setXLink(self.loss)
        self.loss_curves: list = []
        self.acc_curves: list = []
        self.entries: list[tuple[str, str]] = []

    def configure(self, labels: list[str], colours: list[str]) -> None:
        """One loss and one accuracy curve per twin, created now (setData afterwards)."""
        for c in self.loss_curves:
            self.loss.removeItem(c)
        for c in self.acc_curves:
            self.accuracy.removeItem(c)
        self.entries = list(zip(labels, colours))
        self.key.setText(key_html(self.entries))
        self.loss_curves = [self.loss.plot([], [], name=lab, pen=pg.mkPen(col, width=theme.LINE_WIDTH))
                            for lab, col in self.entries]
        self.acc_curves = [self.accuracy.plot([], [], name=lab, pen=pg.mkPen(col, width=theme.LINE_WIDTH),
                                              symbol="o", symbolSize=6, symbolBrush=col, symbolPen=None)
                           for lab, col in self.entries]
        self.r_loss.reset()
        self._acc_floor = None
        self.accuracy.setYRange(0, 100, padding=0.05)
        self.loss.setYRange(0, 1, padding=0.02)
        self.loss.setXRange(0, 1, padding=0.01)

    def set_accuracy_split(self, split: str) -> None:
        title = f"{split[:1].upper()}{split[1:]} accuracy"
        if self.accuracy.getPlotItem().titleLabel.text != title:
            self.accuracy.getPlotItem().setTitle(title, size=f"{theme.TITLE_PT}pt", bold=True)

    def draw_loss(self, traces, x_span) -> None:
        ys = []
        for curve, tr in zip(self.loss_curves, traces):
            set_curve_data(curve, tr.snaps.x(False), tr.loss)
            ys.append(tr.loss)
        self.r_loss.update(x_span, ys)
        apply_view_now(self.loss.getPlotItem())

    def draw_accuracy(self, traces) -> None:
        for curve, tr in zip(self.acc_curves, traces):
            y = tr.epochs.col(1)
            ok = np.isfinite(y)
            curve.setData(tr.epochs.x(False)[ok], y[ok])
            # Dots while few epochs: a single first epoch is a point, not an empty plot.
            curve.setSymbol("o" if ok.sum() <= 60 else None)
        self._fit_accuracy([tr.epochs.col(1) for tr in traces])
        apply_view_now(self.accuracy.getPlotItem())

    def _fit_accuracy(self, ys) -> None:
        """Up to 100 %, down to a multiple of 10 below the lowest point: twins at 88 and 92 %
        must look different, which on a 0-100 axis they do not."""
        vals = np.concatenate([y[np.isfinite(y)] for y in ys] + [np.empty(0)])
        if not len(vals):
            return
        floor = float(max(0.0, min(90.0, np.floor(vals.min() / 10.0) * 10.0)))
        if floor != self._acc_floor:
            self._acc_floor = floor
            self.accuracy.setYRange(floor, 100.0, padding=0.04)

    def legend_labels(self) -> list[str]:
        return [label for label, _ in self.entries]


