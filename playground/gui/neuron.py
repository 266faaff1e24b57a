"""One neuron, worked out by hand: click a unit in the network diagram to see, for one input point,
each incoming activation times its weight, their sum, the bias, z and the unit's output. Click an
edge to type its weight; the run is then marked as edited (title bar and status bar).

The input point is two spin boxes, and a click on the decision boundary sets them (a star marks
the point there). Weights are written under the trainer's lock, so never in the middle of a chunk;
a playing run is paused first.
"""
from __future__ import annotations

import weakref

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets, pg
from . import theme

REFRESH_MS = 500
WEIGHT_LIMIT = 1000.0
EDITED = " (weights edited by hand)"
_edited = weakref.WeakSet()         # trainers whose network had a weight typed in


def neuron_sum(network, point, layer: int, unit: int) -> dict:
    """Unit ``unit`` of layer ``layer`` (1 = first hidden) for the input ``point``: the incoming
    activations, weights, bias, z = w·a + b and the output, from the network's own forward pass."""
    x = np.asarray(point, dtype=np.float64).reshape(1, -1)
    zs, acts = network.forward_all(x)
    return {"inputs": np.asarray(acts[layer - 1][0], np.float64),
            "weights": np.asarray(network.weights[layer - 1][unit], np.float64),
            "bias": float(network.biases[layer - 1][unit]),
            "z": float(zs[layer - 1][0, unit]), "output": float(acts[layer][0, unit])}


def is_edited(trainer) -> bool:
    return trainer is not None and trainer in _edited


def mark_edited(window, trainer) -> None:
    """``trainer``'s run had a weight set by hand: so marked in the title (and in a saved run file)."""
    _edited.add(trainer)
    title = window.windowTitle()
    if EDITED not in title:
        head, sep, tail = title.rpartition(" — ")
        window.setWindowTitle(f"{head}{EDITED}{sep}{tail}" if sep else title + EDITED)


class NeuronInspector(QtWidgets.QDialog):
    """``source()`` -> (network, layer names) or (None, None)."""
    sigPointChanged = QtCore.Signal(float, float)

    def __init__(self, source, parent=None):
        super().__init__(parent)
        self.setWindowTitle("One neuron's sum")
        self.source = source
        self.neuron = (-1, -1)
        lay = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.x = []
        for i in (1, 2):
            s = QtWidgets.QDoubleSpinBox()
            s.setRange(-10.0, 10.0)
            s.setDecimals(2)
            s.setSingleStep(0.1)
            s.setAccessibleName(f"Input x{i}")
            s.setToolTip(f"Coordinate x{i} of the input point the sum is worked out for; a click on the "
                         "decision boundary sets both.")
            s.valueChanged.connect(self._on_point)
            row.addWidget(QtWidgets.QLabel(f"x{'₁₂'[i - 1]}"))
            row.addWidget(s)
            self.x.append(s)
        row.addStretch(1)
        lay.addLayout(row)
        self.table = QtWidgets.QLabel()
        self.table.setTextFormat(QtCore.Qt.RichText)
        self.table.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.table.setAlignment(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.table)
        lay.addWidget(scroll, 1)
        self.values: dict | None = None
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.resize(420, 460)

    def showEvent(self, event) -> None:  # noqa: N802
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        super().hideEvent(event)

    def point(self) -> tuple[float, float]:
        return (self.x[0].value(), self.x[1].value())

    def set_point(self, x1: float, x2: float) -> None:
        for s, v in zip(self.x, (x1, x2)):
            with QtCore.QSignalBlocker(s):
                s.setValue(float(v))
        self._on_point()

    def _on_point(self, *_):
        self.sigPointChanged.emit(*self.point())
        self.refresh()

    def set_neuron(self, layer: int, unit: int) -> None:
        self.neuron = (layer, unit)
        self.refresh()

    def refresh(self) -> None:
        network, names = self.source()
        layer, unit = self.neuron
        if network is None or layer < 0 or layer >= len(network.spec.sizes) or unit >= network.spec.sizes[layer]:
            self.values = None
            self.table.setText("Click a neuron in the network diagram.")
            return
        if network.spec.sizes[0] != 2:
            self.values = None
            self.table.setText("The worked sum needs a 2-D toy dataset (two inputs).")
            return
        name = names[layer] if names and layer < len(names) else f"layer {layer}"
        x1, x2 = self.point()
        if layer == 0:
            self.values = None
            self.table.setText(f"<b>{name}, unit {unit + 1}</b><br>An input unit passes its coordinate on: "
                               f"x{unit + 1} = {(x1, x2)[unit]:+.3f}")
            return
        v = self.values = neuron_sum(network, (x1, x2), layer, unit)
        prev = names[layer - 1] if names and layer - 1 < len(names) else "previous layer"
        rows = "".join(f"<tr><td>{prev} {k + 1}</td><td align=right>{a:+.3f}</td><td align=right>× {w:+.3f}</td>"
                       f"<td align=right>= {a * w:+.3f}</td></tr>"
                       for k, (a, w) in enumerate(zip(v["inputs"], v["weights"])))
        act = network.output if layer == network.n_layers else network.hidden[layer - 1]
        total = float(np.dot(v["inputs"], v["weights"]))
        self.table.setText(
            f"<b>{name}, unit {unit + 1}</b> at (x₁, x₂) = ({x1:+.2f}, {x2:+.2f})"
            "<table cellspacing=6><tr><th align=left>input</th><th>activation a</th><th>weight w</th>"
            f"<th>w·a</th></tr>{rows}</table>"
            f"<p>weighted sum Σ w·a = {total:+.4f}<br>bias b = {v['bias']:+.4f}<br>"
            f"<b>z = Σ w·a + b = {v['z']:+.4f}</b><br>"
            f"<b>output = {act.name}(z) = {v['output']:+.4f}</b>"
            + ("<br><i>(softmax: divided by the sum over all output units)</i>" if act.output_only else "")
            + "</p>")


# ---------------------------------------------------------------------- editing a weight
def set_weight(window, l: int, j: int, k: int, value: float) -> bool:
    """W[l][j, k] of the run on show := ``value``, under the trainer's lock (a playing run is paused
    first); the run is marked as edited. False if there is no network or the value is not usable."""
    ctrl = window.controller
    s = None if ctrl is None else ctrl.active
    if s is None or s.trainer is None or s.network is None:
        return False
    value = float(value)
    if not np.isfinite(value) or abs(value) > WEIGHT_LIMIT:
        window.statusBar().showMessage(f"A weight must be a number between ±{WEIGHT_LIMIT:g}.", 8000)
        return False
    if s.playing:
        ctrl.play_pause()
    t = s.trainer
    with t.lock:           # a chunk holds it while it trains: never half-way through an update
        s.network.weights[l][j, k] = value
    mark_edited(window, t)
    window.statusBar().showMessage(f"Weight W{l + 1}[{j + 1}, {k + 1}] set to {value:g} by hand: "
                                   "this run is now edited.", 10000)
    ctrl.frames.refresh_views(force=True)
    return True


def ask_weight(window, l: int, j: int, k: int) -> bool:
    """A dialog to type weight W[l][j, k]; OK writes it (set_weight)."""
    ctrl = window.controller
    s = None if ctrl is None else ctrl.active
    if s is None or s.network is None:
        return False
    if s.playing:
        ctrl.play_pause()       # the value shown must be the one replaced
    names = window.views.diagram.names
    src = names[l] if l < len(names) else f"layer {l}"
    dst = names[l + 1] if l + 1 < len(names) else f"layer {l + 1}"
    dlg = QtWidgets.QInputDialog(window)
    dlg.setObjectName("weightDialog")
    dlg.setWindowTitle("Set a weight by hand")
    dlg.setLabelText(f"Weight from {src} unit {k + 1} to {dst} unit {j + 1}:")
    dlg.setInputMode(QtWidgets.QInputDialog.DoubleInput)
    dlg.setDoubleRange(-WEIGHT_LIMIT, WEIGHT_LIMIT)
    dlg.setDoubleDecimals(4)
    dlg.setDoubleValue(float(s.network.weights[l][j, k]))
    if dlg.exec() != QtWidgets.QDialog.Accepted:
        return False
    return set_weight(window, l, j, k, dlg.doubleValue())


# ---------------------------------------------------------------------- wiring
def open_inspector(window) -> NeuronInspector:
    dlg = getattr(window, "neuron_inspector", None)
    if dlg is None:
        def source():
            ctrl = window.controller
            net = None if ctrl is None else ctrl.network
            return net, window.views.diagram.names
        dlg = window.neuron_inspector = NeuronInspector(source, window)
        boundary = window.views.boundary
        marker = pg.ScatterPlotItem(size=18, symbol="star", pen=pg.mkPen("k", width=1.5),
                                    brush=pg.mkBrush(theme.PALETTE[7]))
        marker.setZValue(20)
        boundary.getPlotItem().addItem(marker)
        dlg.sigPointChanged.connect(lambda a, b: marker.setData([a], [b]))
        dlg.finished.connect(lambda _r: marker.setData([], []))
        boundary.scene().sigMouseClicked.connect(lambda ev: _on_boundary_click(window, ev))
    dlg.show()
    dlg.raise_()
    return dlg


def _on_boundary_click(window, event) -> None:
    dlg = window.neuron_inspector
    if not dlg.isVisible() or event.button() != QtCore.Qt.LeftButton:
        return
    vb = window.views.boundary.getPlotItem().getViewBox()
    if not vb.sceneBoundingRect().contains(event.scenePos()):
        return
    p = vb.mapSceneToView(event.scenePos())
    dlg.set_point(p.x(), p.y())


def install(window) -> None:
    diagram = window.views.diagram

    def clicked(layer, unit):
        dlg = open_inspector(window)
        dlg.set_neuron(layer, unit)
    diagram.sigNeuronClicked.connect(clicked)
    diagram.sigEdgeClicked.connect(lambda l, j, k: ask_weight(window, l, j, k))
