"""The test-set confusion matrix, painted for a projector.

Each cell shows the share of its true class (row) that was predicted as its column, in %:
two digits, where counts ran to four (1135) and had to shrink to ~8 px to fit a cell at 1280 x 800.
The count is in the cell's tooltip. Class names stand on both axes: row names at the left,
column names turned upright when they are wider than a cell. Everything is laid out from the
widget's size (``plan()``), so nothing is clipped at any size.
"""
from __future__ import annotations

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets
from . import theme
from .labels import class_name

MIN_PT, MAX_PT = 8, 16            # class names and cell numbers: the largest size that fits
MARGIN = 6
# The longest that fits the width (at 1280 x 800 the pane is ~350 px: the long subtitle was cut).
TITLES = ("Confusion matrix on the test set", "Confusion matrix (test set)", "Confusion matrix")
SUBTITLES = ("cells: % of each true class (hover for counts)", "cells: % of each true class",
             "% of each true class")


def longest_fitting(texts, fm: QtGui.QFontMetricsF, width: float) -> str:
    return next((t for t in texts if fm.horizontalAdvance(t) <= width), texts[-1])


def cell_text(count: int, row_total: int) -> str:
    """A cell's share of its row in whole %: "" for no image, "<1" for a few (never a "0" that
    hides them), "100" only when the whole row is in it."""
    if count <= 0 or row_total <= 0:
        return ""
    if count >= row_total:
        return "100"
    share = 100.0 * count / row_total
    return "<1" if share < 1.0 else str(min(99, int(share + 0.5)))


class ConfusionMatrixView(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(200, 200)
        self.setMouseTracking(True)
        self.k = 0
        self.dataset = "mnist"
        self.names: list[str] = []
        self.matrix = np.zeros((0, 0), np.int64)
        self._texts: list[str] = []
        self._share = np.zeros((0, 0))
        self._lut = np.asarray(theme.sequential_lut(), np.uint8)
        self._geometry = None

    # ------------------------------------------------------------------ data
    def configure(self, k: int, dataset: str) -> None:
        self.k, self.dataset = k, dataset
        self.names = [class_name(dataset, i) for i in range(k)]
        self._set(np.zeros((k, k), np.int64))

    def set_matrix(self, conf: np.ndarray) -> None:
        conf = np.asarray(conf, np.int64)
        if conf.shape[0] != self.k:
            self.configure(conf.shape[0], self.dataset)
        self._set(conf)

    def _set(self, conf: np.ndarray) -> None:
        self.matrix = conf
        rows = conf.sum(axis=1, keepdims=True).astype(float)
        self._share = np.divide(conf, rows, out=np.zeros(conf.shape, float), where=rows > 0)
        self._texts = [cell_text(int(conf[i, j]), int(rows[i, 0])) for i in range(self.k) for j in range(self.k)]
        self._geometry = None
        self.update()

    @property
    def texts(self) -> list[str]:
        """Row-major, "" for an empty cell (what a reader sees)."""
        return list(self._texts)

    # ------------------------------------------------------------------ layout
    def _fit_font(self, texts, width: float, height: float, bold=False) -> QtGui.QFont:
        font = QtGui.QFont(self.font())
        font.setBold(bold)
        for pt in range(MAX_PT, MIN_PT - 1, -1):
            font.setPointSize(pt)
            fm = QtGui.QFontMetricsF(font)
            if fm.height() <= height and max((fm.horizontalAdvance(t) for t in texts), default=0) <= width:
                break
        return font

    def plan(self) -> dict:
        """Every rectangle and font of the picture for the current size (cached until it changes)."""
        if self._geometry is not None and self._geometry["size"] == self.size():
            return self._geometry
        w, h, k = self.width(), self.height(), max(self.k, 1)
        title_font = QtGui.QFont(self.font())
        title_font.setPointSize(theme.TITLE_PT)
        title_font.setBold(True)
        axis_font = QtGui.QFont(self.font())
        axis_font.setPointSize(theme.AXIS_LABEL_PT)
        tfm, afm = QtGui.QFontMetricsF(title_font), QtGui.QFontMetricsF(axis_font)
        names = self.names or [str(i) for i in range(k)]
        title_h = tfm.height() + afm.height() + 4        # the title and what the numbers mean
        top = MARGIN + title_h
        name_font = QtGui.QFont(self.font())
        # The largest name size whose rows fit a cell's height and whose columns fit a cell's
        # width, or stand upright when they are wider than a cell (Fashion-MNIST's "Pullover").
        for pt in range(theme.TICK_PT + 1, MIN_PT - 1, -1):
            name_font.setPointSize(pt)
            nfm = QtGui.QFontMetricsF(name_font)
            widest = max(nfm.horizontalAdvance(n) for n in names)
            row_w = widest + 6
            left = MARGIN + afm.height() + 4 + row_w
            upright = widest > (w - left - MARGIN) / k - 4
            col_h = (widest if upright else nfm.height()) + 6
            cell = max(8.0, min((w - left - MARGIN) / k, (h - top - col_h - afm.height() - 4 - MARGIN) / k))
            if nfm.height() <= cell and (upright or widest <= cell - 4):
                break
        x0 = left + max(0.0, (w - left - MARGIN - cell * k) / 2)
        grid = QtCore.QRectF(x0, top, cell * k, cell * k)
        widest = max(self._texts + ["88"], key=len)      # mostly two digits; "100" only where it is
        number_font = self._fit_font([widest], cell - 6, cell - 2)
        self._geometry = dict(size=self.size(), grid=grid, cell=cell, upright=upright, title_font=title_font,
                              title_text=longest_fitting(TITLES, tfm, w - 2 * MARGIN),
                              subtitle_text=longest_fitting(SUBTITLES, afm, w - 2 * MARGIN),
                              axis_font=axis_font, name_font=name_font, number_font=number_font,
                              title=QtCore.QRectF(MARGIN, MARGIN, w - 2 * MARGIN, title_h),
                              rows=QtCore.QRectF(x0 - row_w - 2, top, row_w, cell * k),
                              cols=QtCore.QRectF(x0, grid.bottom() + 3, cell * k, col_h),
                              x_title=QtCore.QRectF(x0, grid.bottom() + 3 + col_h, cell * k, afm.height()),
                              y_title=QtCore.QRectF(x0 - row_w - 6 - afm.height(), top, afm.height(), cell * k))
        return self._geometry

    def name_rects(self) -> list[tuple[str, QtCore.QRectF]]:
        """Where each row and column name is drawn, in widget pixels (tests check nothing is clipped)."""
        g = self.plan()
        fm = QtGui.QFontMetricsF(g["name_font"])
        out = []
        for i, name in enumerate(self.names):
            y = g["grid"].top() + (i + 0.5) * g["cell"]
            tw, th = fm.horizontalAdvance(name), fm.height()
            out.append((name, QtCore.QRectF(g["rows"].right() - tw, y - th / 2, tw, th)))
            x = g["grid"].left() + (i + 0.5) * g["cell"]
            if g["upright"]:
                out.append((name, QtCore.QRectF(x - th / 2, g["cols"].top(), th, tw)))
            else:
                out.append((name, QtCore.QRectF(x - tw / 2, g["cols"].top(), tw, th)))
        return out

    # ------------------------------------------------------------------ painting
    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.TextAntialiasing)
        g = self.plan()
        p.fillRect(self.rect(), QtGui.QColor("white"))
        p.setPen(QtGui.QColor("black"))
        p.setFont(g["title_font"])
        tr = QtCore.QRectF(g["title"])
        tr.setHeight(QtGui.QFontMetricsF(g["title_font"]).height())
        p.drawText(tr, QtCore.Qt.AlignCenter, g["title_text"])
        p.setFont(g["axis_font"])
        tr.moveTop(tr.bottom() + 2)
        tr.setHeight(QtGui.QFontMetricsF(g["axis_font"]).height())
        p.drawText(tr, QtCore.Qt.AlignCenter, g["subtitle_text"])
        if not self.k:
            p.end()
            return
        grid, cell = g["grid"], g["cell"]
        p.setFont(g["number_font"])
        for i in range(self.k):
            for j in range(self.k):
                share = float(self._share[i, j])
                r = QtCore.QRectF(grid.left() + j * cell, grid.top() + i * cell, cell, cell)
                c = self._lut[int(round(np.sqrt(share) * (len(self._lut) - 1)))]
                p.fillRect(r, QtGui.QColor(int(c[0]), int(c[1]), int(c[2])))
                text = self._texts[i * self.k + j]
                if text:
                    p.setPen(QtGui.QColor("white" if share > 0.45 else "black"))
                    p.drawText(r, QtCore.Qt.AlignCenter, text)
        p.setPen(QtGui.QColor("#999"))
        p.drawRect(grid)
        p.setPen(QtGui.QColor("black"))
        p.setFont(g["name_font"])
        for n, (name, r) in enumerate(self.name_rects()):
            if n % 2 == 0 or not g["upright"]:
                p.drawText(r, QtCore.Qt.AlignCenter, name)
            else:               # a column name read bottom to top, its end at the matrix
                p.save()
                p.translate(r.center())
                p.rotate(-90)
                p.drawText(QtCore.QRectF(-r.height() / 2, -r.width() / 2, r.height(), r.width()),
                           QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, name)
                p.restore()
        p.setFont(g["axis_font"])
        p.drawText(g["x_title"], QtCore.Qt.AlignCenter, "predicted class")
        yt = g["y_title"]
        p.save()
        p.translate(yt.center())
        p.rotate(-90)
        p.drawText(QtCore.QRectF(-yt.height() / 2, -yt.width() / 2, yt.height(), yt.width()), QtCore.Qt.AlignCenter,
                   "true class")
        p.restore()
        p.end()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._geometry = None
        super().resizeEvent(event)

    def event(self, e) -> bool:
        if e.type() == QtCore.QEvent.ToolTip and self.k:
            g = self.plan()
            pos = QtCore.QPointF(e.pos())
            if g["grid"].contains(pos):
                j = int((pos.x() - g["grid"].left()) // g["cell"])
                i = int((pos.y() - g["grid"].top()) // g["cell"])
                if 0 <= i < self.k and 0 <= j < self.k:
                    n, total = int(self.matrix[i, j]), int(self.matrix[i].sum())
                    QtWidgets.QToolTip.showText(e.globalPos(), f"true {self.names[i]}, predicted {self.names[j]}: "
                                                               f"{n} of {total} test images")
                    return True
            QtWidgets.QToolTip.hideText()
            e.ignore()
            return True
        return super().event(e)
