"""The drawing canvas: white ink on black, an anti-aliased round pen, undo by stroke.

Strokes are kept as points in canvas units (0..1) with a width per point, so the canvas
re-renders sharply at any size when the window changes and Undo simply redraws the rest.
Mouse, touchpad and tablet all draw; a tablet pen's pressure scales the width. Like Qt's
Scribble example, a new segment repaints only its own rectangle.
"""
from __future__ import annotations

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets

MIN_SIDE = 280
REFERENCE_SIDE = 280.0     # pen widths are given in pixels of a 280 px canvas


class DrawPad(QtWidgets.QWidget):
    sigChanged = QtCore.Signal()          # ink changed (every new segment, clear, undo)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        sp = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Expanding)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)
        self.setFocusPolicy(QtCore.Qt.StrongFocus)
        self.setCursor(QtCore.Qt.CrossCursor)
        self.setAttribute(QtCore.Qt.WA_OpaquePaintEvent)
        self.setAccessibleName("Drawing canvas")
        self.pen_width = 18.0                 # at REFERENCE_SIDE
        self.strokes: list[list[tuple[float, float, float]]] = []   # (x, y, width) in canvas units
        self._current: list[tuple[float, float, float]] | None = None
        self._image = QtGui.QImage()
        self._render()

    # ------------------------------------------------------------------ geometry
    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, w: int) -> int:  # noqa: N802
        return w

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802
        return QtCore.QSize(400, 400)

    def side(self) -> int:
        return max(1, min(self.width(), self.height()))

    def _origin(self) -> QtCore.QPoint:
        s = self.side()
        return QtCore.QPoint((self.width() - s) // 2, (self.height() - s) // 2)

    def _to_canvas(self, pos: QtCore.QPointF) -> tuple[float, float]:
        s, o = self.side(), self._origin()
        return ((pos.x() - o.x()) / s, (pos.y() - o.y()) / s)

    # ------------------------------------------------------------------ content
    def is_blank(self) -> bool:
        return not self.strokes and not self._current

    def clear(self) -> None:
        self.strokes.clear()
        self._current = None
        self._render()
        self.update()
        self.sigChanged.emit()

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self._render()
            self.update()
            self.sigChanged.emit()

    def set_strokes(self, strokes) -> None:
        """Replace the drawing (points in canvas units, as ``strokes`` holds them)."""
        self.strokes = [list(map(tuple, s)) for s in strokes]
        self._current = None
        self._render()
        self.update()
        self.sigChanged.emit()

    def image(self) -> QtGui.QImage:
        return self._image

    def ink(self) -> np.ndarray:
        """The canvas as a 2-D float32 array, ink 1 on background 0."""
        img = self._image
        a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, :img.width()]
        return a.astype(np.float32) * np.float32(1 / 255)

    # ------------------------------------------------------------------ painting
    def _pen(self, width_units: float) -> QtGui.QPen:
        return QtGui.QPen(QtGui.QColor(255, 255, 255), max(width_units * self.side(), 0.5), QtCore.Qt.SolidLine,
                          QtCore.Qt.RoundCap, QtCore.Qt.RoundJoin)

    def _painter(self) -> QtGui.QPainter:
        p = QtGui.QPainter(self._image)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        return p

    def _segment(self, p: QtGui.QPainter, a, b) -> QtCore.QRectF:
        s = self.side()
        pa, pb = QtCore.QPointF(a[0] * s, a[1] * s), QtCore.QPointF(b[0] * s, b[1] * s)
        p.setPen(self._pen((a[2] + b[2]) / 2))
        if pa == pb:
            p.drawPoint(pa)
        else:
            p.drawLine(pa, pb)
        r = max(a[2], b[2]) * s / 2 + 2
        return QtCore.QRectF(pa, pb).normalized().adjusted(-r, -r, r, r)

    def _draw_stroke(self, p: QtGui.QPainter, stroke) -> None:
        if len(stroke) == 1:
            self._segment(p, stroke[0], stroke[0])
        widths = {w for _, _, w in stroke}
        if len(widths) == 1 and len(stroke) > 1:
            # One width: a single path joins the segments without overlapping caps.
            s = self.side()
            path = QtGui.QPainterPath(QtCore.QPointF(stroke[0][0] * s, stroke[0][1] * s))
            for x, y, _ in stroke[1:]:
                path.lineTo(x * s, y * s)
            p.setPen(self._pen(stroke[0][2]))
            p.drawPath(path)
            return
        for a, b in zip(stroke, stroke[1:]):
            self._segment(p, a, b)

    def _render(self) -> None:
        s = self.side()
        if self._image.width() != s:
            self._image = QtGui.QImage(s, s, QtGui.QImage.Format_Grayscale8)
        self._image.fill(0)
        p = self._painter()
        for stroke in self.strokes + ([self._current] if self._current else []):
            self._draw_stroke(p, stroke)
        p.end()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QtGui.QPainter(self)
        p.fillRect(self.rect(), self.palette().window())
        o = self._origin()
        p.drawImage(o, self._image)
        p.setPen(QtGui.QPen(QtGui.QColor("#888"), 1))
        p.drawRect(QtCore.QRect(o, QtCore.QSize(self.side() - 1, self.side() - 1)))
        p.end()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._render()
        super().resizeEvent(event)

    # ------------------------------------------------------------------ input
    def _add_point(self, pos: QtCore.QPointF, pressure: float = 1.0) -> None:
        x, y = self._to_canvas(pos)
        w = self.pen_width / REFERENCE_SIDE * (0.3 + 0.7 * pressure if pressure < 1.0 else 1.0)
        pt = (x, y, w)
        if self._current is None:
            self._current = [pt]
            prev = pt
        else:
            prev = self._current[-1]
            if (prev[0], prev[1]) == (x, y):
                return
            self._current.append(pt)
        p = self._painter()
        dirty = self._segment(p, prev, pt)
        p.end()
        self.update(dirty.toAlignedRect().translated(self._origin()))
        self.sigChanged.emit()

    def _finish(self) -> None:
        if self._current:
            self.strokes.append(self._current)
        self._current = None

    def mousePressEvent(self, e) -> None:  # noqa: N802
        if e.button() == QtCore.Qt.LeftButton:
            self._add_point(e.position())

    def mouseMoveEvent(self, e) -> None:  # noqa: N802
        if e.buttons() & QtCore.Qt.LeftButton and self._current is not None:
            self._add_point(e.position())

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        if e.button() == QtCore.Qt.LeftButton:
            self._finish()

    def tabletEvent(self, e) -> None:  # noqa: N802
        t = e.type()
        if t == QtCore.QEvent.TabletPress:
            self._current = None
            self._add_point(e.position(), e.pressure())
        elif t == QtCore.QEvent.TabletMove and self._current is not None:
            self._add_point(e.position(), e.pressure())
        elif t == QtCore.QEvent.TabletRelease:
            self._finish()
        e.accept()       # accepted: Qt sends no synthesized mouse events, so no double strokes
