"""Marks on the live plots that are not data points.

* ChangeMarkers: a thin labelled line where a setting was changed during a run ("η 0.1→0.01"),
  so a bend in the loss curve can be traced to what the teacher did.
* OffScale: gradient norms a log axis cannot place (0, infinite, not a number) drawn as
  triangles at the bottom / top edge instead of vanishing from the plot.
"""
from __future__ import annotations

import numpy as np

from ._qt import QtCore, QtGui, pg

LIVE_NAMES = {"eta": "η", "batch_size": "batch", "l2": "L2", "l1": "L1", "dropout": "dropout"}
MAX_MARKS = 40           # older marks are dropped: a long session of tweaks must not slow the plots
_LABEL_ROWS = (0.93, 0.78, 0.63)    # neighbouring labels take turns, so close marks stay readable


def change_text(old: dict, new: dict) -> str:
    """ "η 0.1→0.01, batch 10→50" for the live settings that differ; "" when none does."""
    parts = [f"{name} {old[k]:g}→{new[k]:g}" for k, name in LIVE_NAMES.items()
             if k in old and k in new and old[k] is not None and float(old[k]) != float(new[k])]
    return ", ".join(parts)


class _Mark:
    def __init__(self, epoch: float, samples: float, old: dict, new: dict):
        self.epoch, self.samples = epoch, samples
        self.old, self.new = dict(old), dict(new)
        self.lines: list[pg.InfiniteLine] = []

    @property
    def text(self) -> str:
        return change_text(self.old, self.new)


class ChangeMarkers:
    """Labelled vertical lines on some plots (created once per change, never per frame)."""

    def __init__(self, plots: list[pg.PlotItem]):
        self.plots = plots
        self.marks: list[_Mark] = []
        self.by_samples = False
        self.font = QtGui.QFont()
        self.font.setPointSize(9)

    def texts(self) -> list[str]:
        return [m.text for m in self.marks]

    def add(self, old: dict, new: dict, epoch: float, samples: float) -> None:
        last = self.marks[-1] if self.marks else None
        if last is not None and last.samples == samples:
            # Several changes with no training in between (clicking a spin box arrow): one mark
            # from the first value to the last.
            last.new.update(new)
            self._remove(last)
            if last.text:
                self._show(last)
                self.marks.append(last)
            return
        mark = _Mark(epoch, samples, old, new)
        if not mark.text:
            return
        self._show(mark)
        self.marks.append(mark)
        while len(self.marks) > MAX_MARKS:
            self._remove(self.marks[0])

    def _show(self, mark: _Mark) -> None:
        row = _LABEL_ROWS[len(self.marks) % len(_LABEL_ROWS)]
        for plot in self.plots:
            line = pg.InfiniteLine(pos=self._x(mark), angle=90, movable=False,
                                   pen=pg.mkPen("#555", width=1, style=QtCore.Qt.DashLine),
                                   label=mark.text,
                                   labelOpts=dict(position=row, color="#222", fill=pg.mkBrush(255, 255, 255, 230),
                                                  # right of the line; left of it past the middle
                                                  anchors=[(0, 0.5), (1, 0.5)]))
            line.label.setFont(self.font)
            line.label.updatePosition()
            line.setZValue(5)
            line.setToolTip(f"Changed during training: {mark.text}")
            plot.addItem(line, ignoreBounds=True)
            mark.lines.append(line)

    def _remove(self, mark: _Mark) -> None:
        for plot, line in zip(self.plots, mark.lines):     # one line per plot, in that order
            plot.removeItem(line)
        mark.lines = []
        if mark in self.marks:
            self.marks.remove(mark)

    def _x(self, mark: _Mark) -> float:
        return mark.samples if self.by_samples else mark.epoch

    def set_by_samples(self, by_samples: bool) -> None:
        self.by_samples = by_samples
        for mark in self.marks:
            for line in mark.lines:
                line.setValue(self._x(mark))

    def clear(self) -> None:
        for mark in list(self.marks):
            self._remove(mark)


class OffScale:
    """For one log-axis curve: its zeros as ▼ on the bottom edge, its non-finite values as ▲ on
    the top edge (two symbol-only curves, made once)."""

    def __init__(self, plot_widget, colour):
        kw = dict(pen=None, symbolBrush=colour, symbolPen=pg.mkPen("#222", width=0.6), symbolSize=10)
        self.low = plot_widget.plot([], [], symbol="t", name="norm 0 (below the log scale)", **kw)
        self.high = plot_widget.plot([], [], symbol="t1", name="not finite (above the log scale)", **kw)
        self.count = 0
        self._shown = {}          # item -> (x of its points, edge): setData only when they change
        for item in self.items():
            item.setVisible(False)    # hidden while empty: not painted, not in the view's bounds

    def update(self, x: np.ndarray, y: np.ndarray, valid: np.ndarray, y_range, max_points: int) -> int:
        """``y_range``: the log10 view range. Returns how many points are drawn at an edge."""
        lo, hi = y_range
        inset = 0.04 * (hi - lo)
        n = 0
        for item, pick, edge in ((self.low, valid & (y == 0), lo + inset),
                                 (self.high, valid & ~np.isfinite(y), hi - inset)):
            idx = np.flatnonzero(pick)
            if len(idx) > max_points:                 # one triangle per few pixels is all the eye can see
                idx = idx[np.linspace(0, len(idx) - 1, max_points).astype(int)]
            xs = x[idx]
            key = (len(xs), float(xs[0]) if len(xs) else 0.0, float(xs[-1]) if len(xs) else 0.0, edge)
            if self._shown.get(item) != key:      # the usual case, every frame: nothing changed
                self._shown[item] = key
                item.setData(xs, np.full(len(xs), 10.0 ** edge))
                item.setVisible(len(xs) > 0)
            n += len(idx)
        self.count = n
        return n

    def items(self):
        return (self.low, self.high)
