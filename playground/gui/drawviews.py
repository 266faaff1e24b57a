"""Small painted views of one reading: probability bars, a pixel image (the 28x28, a pipeline
step), an evidence map over the digit, and hidden-layer activation grids."""
from __future__ import annotations

import math

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets
from .textfit import fit_text
from .theme import NEGATIVE, POSITIVE

TOP = QtGui.QColor("#0072B2")
RUNNER_UP = QtGui.QColor("#E69F00")


def gray_qimage(a: np.ndarray) -> QtGui.QImage:
    a = np.ascontiguousarray(np.clip(a, 0, 1) * 255, np.uint8)
    h, w = a.shape
    return QtGui.QImage(a.data, w, h, w, QtGui.QImage.Format_Grayscale8).copy()


def rgba_qimage(a: np.ndarray) -> QtGui.QImage:
    a = np.ascontiguousarray(a, np.uint8)
    h, w, _ = a.shape
    return QtGui.QImage(a.data, w, h, 4 * w, QtGui.QImage.Format_RGBA8888).copy()


def evidence_rgba(pixels: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """The digit in grey with evidence for the class in orange and against it in blue; the
    strongest pixel of either sign is fully coloured, so two maps side by side compare shapes.
    Colour grows with the square root of the evidence: a few strong pixels would otherwise
    leave the rest of the stroke looking neutral."""
    grey = 40 + 100 * np.clip(pixels, 0, 1)
    rgba = np.empty(pixels.shape + (4,), np.float32)
    rgba[..., :3] = grey[..., None]
    rgba[..., 3] = 255
    peak = float(np.abs(evidence).max())
    if peak > 0:
        t = np.sqrt(np.clip(np.abs(evidence) / peak, 0, 1))[..., None]
        pos, neg = np.array(POSITIVE.getRgb()[:3], np.float32), np.array(NEGATIVE.getRgb()[:3], np.float32)
        colour = np.where(evidence[..., None] >= 0, pos, neg)
        rgba[..., :3] = (1 - t) * rgba[..., :3] + t * colour
    return rgba.astype(np.uint8)


class PixelImage(QtWidgets.QWidget):
    """An image drawn with square, visible pixels, as large as the widget allows."""

    def __init__(self, min_side: int = 84, parent=None):
        super().__init__(parent)
        self._img = QtGui.QImage()
        self.setMinimumSize(min_side, min_side)
        sp = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Expanding)
        self.setSizePolicy(sp)

    def set_array(self, a: np.ndarray | None) -> None:
        self._img = QtGui.QImage() if a is None else gray_qimage(a)
        self.update()

    def set_rgba(self, a: np.ndarray | None) -> None:
        self._img = QtGui.QImage() if a is None else rgba_qimage(a)
        self.update()

    def image(self) -> QtGui.QImage:
        return self._img

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QtGui.QPainter(self)
        r = self.rect()
        if self._img.isNull():
            p.fillRect(r, QtGui.QColor("#222"))
            return
        iw, ih = self._img.width(), self._img.height()
        k = min(r.width() / iw, r.height() / ih)
        w, h = iw * k, ih * k
        target = QtCore.QRectF((r.width() - w) / 2, (r.height() - h) / 2, w, h)
        # Nearest-neighbour below ~3x (a big canvas shown small needs smoothing), blocks above.
        p.setRenderHint(QtGui.QPainter.SmoothPixmapTransform, k < 3)
        p.drawImage(target, self._img)


class ProbabilityBars(QtWidgets.QWidget):
    """Ten horizontal bars: the top class filled and bold, the runner-up outlined and marked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: tuple[str, ...] = tuple("0123456789")
        self.p: np.ndarray | None = None
        self.top = self.runner_up = -1
        self.setMinimumSize(200, 200)

    def set_values(self, p, top: int = -1, runner_up: int = -1, names=None) -> None:
        self.p = None if p is None else np.asarray(p, float)
        self.top, self.runner_up = top, runner_up
        if names is not None:
            self.names = tuple(names)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        fm = self.fontMetrics()
        bold = QtGui.QFont(p.font())
        bold.setBold(True)
        # Measured in bold (the top class is drawn bold), or a long name loses its first letter.
        label_w = max(QtGui.QFontMetrics(bold).horizontalAdvance(n) for n in self.names) + 10
        value_w = fm.horizontalAdvance("100.0 %  2nd") + 6
        n = len(self.names)
        row = self.height() / n
        bar_h = max(6.0, row * 0.62)
        width = max(10.0, self.width() - label_w - value_w)
        font = p.font()
        for i, name in enumerate(self.names):
            y = i * row
            is_top, is_second = i == self.top, i == self.runner_up
            f = QtGui.QFont(font)
            f.setBold(is_top)
            p.setFont(f)
            p.setPen(self.palette().windowText().color())
            p.drawText(QtCore.QRectF(0, y, label_w - 6, row), QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, name)
            track = QtCore.QRectF(label_w, y + (row - bar_h) / 2, width, bar_h)
            p.fillRect(track, QtGui.QColor("#eeeeee"))
            if self.p is None:
                continue
            v = float(np.clip(self.p[i], 0, 1))
            bar = QtCore.QRectF(track.left(), track.top(), width * v, bar_h)
            p.fillRect(bar, TOP if is_top else (RUNNER_UP if is_second else QtGui.QColor("#9a9a9a")))
            if is_second:
                p.setPen(QtGui.QPen(RUNNER_UP, 2))
                p.drawRect(track)
            text = f"{100 * v:.1f} %" + ("  2nd" if is_second else "")
            p.setPen(self.palette().windowText().color())
            p.drawText(QtCore.QRectF(track.right() + 6, y, value_w, row), QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter,
                       text)


class ActivationGrids(QtWidgets.QWidget):
    """One square grid of cells per hidden layer; a cell's brightness is its unit's activation
    relative to the layer's largest (negative activations, e.g. tanh, in blue)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layers: list[np.ndarray] = []
        self.empty_text = ""
        self.setMinimumHeight(90)

    def set_layers(self, layers, empty_text: str = "") -> None:
        self.layers = [np.asarray(a, float).ravel() for a in layers]
        self.empty_text = empty_text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QtGui.QPainter(self)
        if not self.layers:
            p.drawText(self.rect(), QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap, self.empty_text)
            return
        fm = self.fontMetrics()
        gap = 12
        k = len(self.layers)
        cell_w = (self.width() - gap * (k - 1)) / k
        side = min(cell_w, self.height() - fm.height() - 4)
        for i, a in enumerate(self.layers):
            x0 = i * (cell_w + gap)
            cols = math.ceil(math.sqrt(a.size))
            rows = math.ceil(a.size / cols)
            c = side / max(cols, rows)
            peak = float(np.abs(a).max()) or 1.0
            for j, v in enumerate(a):
                t = min(abs(v) / peak, 1.0)
                base = POSITIVE if v >= 0 else NEGATIVE
                colour = QtGui.QColor.fromRgbF(1 - t * (1 - base.redF()), 1 - t * (1 - base.greenF()),
                                               1 - t * (1 - base.blueF()))
                p.fillRect(QtCore.QRectF(x0 + (j % cols) * c, (j // cols) * c, c - (c > 4), c - (c > 4)), colour)
            p.setPen(self.palette().windowText().color())
            p.drawText(QtCore.QRectF(x0, side + 2, cell_w, fm.height() + 2), QtCore.Qt.AlignLeft,
                       self.caption(i, cell_w))

    def caption(self, i: int, width: float) -> str:
        """The longest caption for layer ``i`` that fits ``width``: with four grids side by side
        "hidden 1: 100 units" would be cut to "hidden 1: 1", a wrong number."""
        n = self.layers[i].size
        return fit_text([f"hidden {i + 1}: {n} units", f"hidden {i + 1}: {n}", f"h{i + 1}: {n} units", f"h{i + 1}: {n}"],
                        self.font(), width)
