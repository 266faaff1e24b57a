"""The network as neurons and weighted edges: colour shows the sign of a weight, thickness its
magnitude. Drawn with QPainter for small networks (at most MAX_UNITS per layer); hovering a neuron
shows its bias and output in a tooltip and tells the controller (for the per-neuron heat map);
clicking a neuron or an edge says which (neuron.py explains the neuron, or edits the weight)."""
from __future__ import annotations

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets
from . import theme

MAX_UNITS = 32
EDGE_LEVELS = 8


class NetworkDiagram(QtWidgets.QWidget):
    sigNeuronHovered = QtCore.Signal(int, int)    # (layer, unit), layer 0 = input; (-1, -1) when none
    sigNeuronClicked = QtCore.Signal(int, int)    # (layer, unit), layer 0 = input
    sigEdgeClicked = QtCore.Signal(int, int, int)  # weight layer l (0 = into hidden 1), unit j, input k: W[l][j, k]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 150)
        self.sizes: tuple[int, ...] = ()
        self.names: list[str] = []
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.outputs: list[np.ndarray] | None = None     # mean activation per unit, per layer (incl. input)
        self._hover = (-1, -1)
        self.selected = (-1, -1)        # the neuron the inspector describes
        self.paint_count = 0

    # ------------------------------------------------------------------ data
    def configure(self, sizes, names) -> None:
        self.sizes = tuple(int(s) for s in sizes)
        self.names = list(names)
        self.weights, self.biases, self.outputs = [], [], None
        self._hover = self.selected = (-1, -1)
        self.update()

    @property
    def drawable(self) -> bool:
        return bool(self.sizes) and max(self.sizes) <= MAX_UNITS

    def set_params(self, weights, biases, outputs=None) -> None:
        if not self.drawable:
            return
        self.weights = [np.array(w, dtype=float) for w in weights]
        self.biases = [np.array(b, dtype=float) for b in biases]
        self.outputs = outputs
        self.update()

    # ------------------------------------------------------------------ geometry
    def _positions(self) -> list[list[QtCore.QPointF]]:
        m = theme.UI_SCALE          # room for the layer captions, which grow with the UI scale
        r = self.rect().adjusted(round(40 * m), round(34 * m), -round(40 * m), -16)
        n_layers = len(self.sizes)
        pos = []
        for li, n in enumerate(self.sizes):
            x = r.left() + (r.width() * li / max(n_layers - 1, 1))
            col = []
            for j in range(n):
                y = r.top() + r.height() * (j + 0.5) / n
                col.append(QtCore.QPointF(x, y))
            pos.append(col)
        return pos

    def _radius(self) -> float:
        if not self.sizes:
            return 8.0
        per = (self.height() - 50) / max(self.sizes)
        return float(max(3.0, min(14.0, per * 0.36)))

    def _unit_at(self, p: QtCore.QPointF) -> tuple[int, int]:
        if not self.drawable:
            return (-1, -1)
        rad = self._radius() + 3
        for li, col in enumerate(self._positions()):
            for j, q in enumerate(col):
                if (q.x() - p.x()) ** 2 + (q.y() - p.y()) ** 2 <= rad * rad:
                    return (li, j)
        return (-1, -1)

    def edge_at(self, p: QtCore.QPointF, tolerance: float = 5.0) -> tuple[int, int, int]:
        """(l, j, k) of the edge nearest ``p`` within ``tolerance`` pixels (W[l][j, k] joins unit k of
        layer l to unit j of layer l + 1), else (-1, -1, -1). Only between two columns of units."""
        if not self.drawable or not self.weights:
            return (-1, -1, -1)
        pos = self._positions()
        best, found = tolerance, (-1, -1, -1)
        px, py = p.x(), p.y()
        for l in range(len(pos) - 1):
            x0, x1 = pos[l][0].x(), pos[l + 1][0].x()
            if not x0 < px < x1:
                continue
            t = (px - x0) / (x1 - x0)
            for k, a in enumerate(pos[l]):
                for j, b in enumerate(pos[l + 1]):
                    # Distance to the line through a and b, measured across it.
                    dx, dy = b.x() - a.x(), b.y() - a.y()
                    y_on = a.y() + t * dy
                    d = abs(py - y_on) * abs(dx) / max((dx * dx + dy * dy) ** 0.5, 1e-9)
                    if d < best:
                        best, found = d, (l, j, k)
        return found

    def edge_midpoint(self, l: int, j: int, k: int) -> QtCore.QPointF:
        """Where to click to hit edge W[l][j, k] (tests, and a tooltip's anchor)."""
        pos = self._positions()
        a, b = pos[l][k], pos[l + 1][j]
        return QtCore.QPointF((a.x() + b.x()) / 2, (a.y() + b.y()) / 2)

    def unit_centre(self, li: int, j: int) -> QtCore.QPointF:
        return self._positions()[li][j]

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() != QtCore.Qt.LeftButton:
            return super().mousePressEvent(event)
        p = event.position()
        unit = self._unit_at(p)
        if unit != (-1, -1):
            self.selected = unit
            self.update()
            self.sigNeuronClicked.emit(*unit)
            return
        edge = self.edge_at(p)
        if edge != (-1, -1, -1):
            self.sigEdgeClicked.emit(*edge)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.paint_count += 1
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        p.fillRect(self.rect(), QtGui.QColor("white"))
        if not self.sizes:
            p.end()
            return
        if not self.drawable:
            p.setPen(QtGui.QColor("#444"))
            f = p.font()
            f.setPointSizeF(theme.pt(theme.BASE_POINT_SIZE + 1))
            p.setFont(f)
            p.drawText(self.rect().adjusted(20, 20, -20, -20), QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap,
                       f"The network {'-'.join(map(str, self.sizes))} is too large to draw "
                       f"(at most {MAX_UNITS} units per layer).\nSee the weight images instead.")
            p.end()
            return
        pos = self._positions()
        rad = self._radius()
        # Edges: width by |w| relative to the largest weight in the network.
        wmax = max((float(np.abs(w).max()) for w in self.weights if w.size), default=0.0) or 1.0
        # Lines grouped into a few pens (sign x magnitude bucket): one drawLines call per pen
        # instead of one QPen per edge keeps painting cheap.
        buckets: dict[tuple[bool, int], list] = {}
        for li, w in enumerate(self.weights):
            if li + 1 >= len(pos) or w.shape != (len(pos[li + 1]), len(pos[li])):
                continue
            mags = np.minimum(np.abs(w) / wmax, 1.0)
            levels = np.minimum((mags * EDGE_LEVELS).astype(int), EDGE_LEVELS - 1)
            for j in range(w.shape[0]):
                for k in range(w.shape[1]):
                    buckets.setdefault((bool(w[j, k] >= 0), int(levels[j, k])), []).append(
                        QtCore.QLineF(pos[li][k], pos[li + 1][j]))
        for (positive, level), lines in sorted(buckets.items(), key=lambda kv: kv[0][1]):
            mag = (level + 0.5) / EDGE_LEVELS
            # Opaque colours mixed with white, not alpha: antialiased translucent lines are ~8x
            # slower to rasterise, and weak edges are drawn first so strong ones stay on top.
            c = theme.mix_white(theme.POSITIVE if positive else theme.NEGATIVE, 0.15 + 0.85 * mag)
            p.setPen(QtGui.QPen(c, (0.6 + 4.5 * mag) * theme.UI_SCALE))
            p.drawLines(lines)
        # Neurons: fill shows the mean output (white = 0); outline shows the bias sign.
        for li, col in enumerate(pos):
            outs = self.outputs[li] if self.outputs is not None and li < len(self.outputs) else None
            for j, q in enumerate(col):
                fill = QtGui.QColor("white")
                if outs is not None and j < len(outs):
                    a = float(np.clip(np.nan_to_num(outs[j]), -1.0, 1.0))
                    fill = theme.mix_white(theme.POSITIVE if a >= 0 else theme.NEGATIVE, abs(a) * 0.9)
                edge = QtGui.QColor("#333")
                if li > 0 and li - 1 < len(self.biases) and j < len(self.biases[li - 1]):
                    edge = theme.POSITIVE if self.biases[li - 1][j] >= 0 else theme.NEGATIVE
                width = (4.0 if (li, j) == self.selected else 3.0 if (li, j) == self._hover else 1.8) * theme.UI_SCALE
                p.setPen(QtGui.QPen(edge, width))
                p.setBrush(fill)
                p.drawEllipse(q, rad, rad)
        # Layer captions.
        f = p.font()
        f.setPointSizeF(theme.pt(theme.BASE_POINT_SIZE - 1))
        p.setFont(f)
        p.setPen(QtGui.QColor("#222"))
        gap = (pos[1][0].x() - pos[0][0].x()) if len(pos) > 1 else 200
        fm = QtGui.QFontMetrics(f)
        for li, col in enumerate(pos):
            name = self.names[li] if li < len(self.names) else ""
            if fm.horizontalAdvance(name) > gap - 6:     # narrow: "hidden 2" -> "h2"
                name = name.replace("hidden ", "h").replace("output", "out").replace("input", "in")
            x = col[0].x()
            p.drawText(QtCore.QRectF(x - gap / 2, 2, gap, 28), QtCore.Qt.AlignCenter, name)
        p.end()

    # ------------------------------------------------------------------ hover
    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        unit = self._unit_at(event.position())
        if unit != self._hover:
            self._hover = unit
            self.sigNeuronHovered.emit(*unit)
            self.update()
        if unit != (-1, -1):
            QtWidgets.QToolTip.showText(event.globalPosition().toPoint(), self.describe(*unit), self)
        else:
            QtWidgets.QToolTip.hideText()

    def leaveEvent(self, event) -> None:  # noqa: N802
        if self._hover != (-1, -1):
            self._hover = (-1, -1)
            self.sigNeuronHovered.emit(-1, -1)
            self.update()

    def describe(self, li: int, j: int) -> str:
        name = self.names[li] if li < len(self.names) else f"layer {li}"
        lines = [f"<b>{name}, unit {j + 1}</b>"]
        if li > 0 and li - 1 < len(self.biases) and j < len(self.biases[li - 1]):
            lines.append(f"bias {self.biases[li - 1][j]:+.3f}")
        if self.outputs is not None and li < len(self.outputs) and j < len(self.outputs[li]):
            lines.append(f"mean output on test points {float(self.outputs[li][j]):+.3f}")
        if li > 0:
            lines.append("<i>its own heat map is shown in the decision-boundary view; click for its sum</i>")
        return "<br>".join(lines)
