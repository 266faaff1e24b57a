"""The activation explorer: an activation function and its derivative, with the weighted inputs z
of one layer of the live network marked on the curve, so saturation is plain to see (sigmoid
units whose z sit where σ' is flat learn slowly; ReLUs with every z below 0 are dead).

The curves come from the engine's own activation objects (core.activations), the z's from
``network.forward_all`` on the trainer's probe rows, the same rows the histograms describe.
"""
from __future__ import annotations

import numpy as np

from playground.core import activations, monitors

from ._qt import QtCore, QtWidgets, pg
from . import theme
from .labels import ACTIVATION_LABELS, OUTPUT_LABELS

REFRESH_MS = 500
MAX_DOTS = 600            # z's drawn as dots on the curve (the histogram counts all of them)
# A unit is saturated where f'(z) is under 2 % of f's steepest slope: the histograms' threshold, so
# the explorer and the "12 % saturated" note under a histogram count the same thing.
SATURATED = monitors.SATURATION
HALF_SPAN = 6.0           # the z range shown at least: ±6 covers where sigmoid and tanh bend
NAMES = {**ACTIVATION_LABELS, **OUTPUT_LABELS}


def curves(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f(z), f'(z)) from the engine's activation object ``name`` (elementwise activations)."""
    act = activations.get(name)
    z = np.asarray(z, dtype=np.float64)
    return np.asarray(act.fn(z), dtype=np.float64), np.asarray(act.prime(z), dtype=np.float64)


def layer_z(network, x, layer: int) -> np.ndarray:
    """Every weighted input z of weight layer ``layer`` (0 = first hidden) over the rows ``x``."""
    zs, _ = network.forward_all(x)
    return np.asarray(zs[layer], dtype=np.float64)


def layer_activation(network, layer: int) -> str:
    spec = network.spec
    return spec.hidden_activations[layer] if layer < spec.n_layers - 1 else spec.output_activation


def saturated_share(name: str, z: np.ndarray) -> float:
    """The share of z's where the slope f'(z) is under SATURATED x its largest value: there the
    gradient through the unit nearly vanishes (a dead ReLU has slope 0)."""
    z = np.asarray(z, dtype=np.float64).ravel()
    if not z.size:
        return float("nan")
    _, d = curves(name, z)
    _, grid = curves(name, np.linspace(-HALF_SPAN, HALF_SPAN, 1201))
    return float(np.mean(d < SATURATED * grid.max()))


def z_range(z: np.ndarray) -> tuple[float, float]:
    """At least ±HALF_SPAN, wider to hold 99 % of the z's (capped: one huge z must not squash the curve)."""
    z = np.asarray(z, dtype=np.float64).ravel()
    z = z[np.isfinite(z)]
    lo, hi = -HALF_SPAN, HALF_SPAN
    if z.size:
        lo = min(lo, max(float(np.percentile(z, 0.5)), -60.0))
        hi = max(hi, min(float(np.percentile(z, 99.5)), 60.0))
    return lo, hi


class ActivationExplorer(QtWidgets.QWidget):
    """``source()`` -> (network, probe rows) or (None, None); redrawn twice a second while shown."""

    def __init__(self, source, parent=None):
        super().__init__(parent)
        self.source = source
        self._network = None
        lay = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.layer = QtWidgets.QComboBox()
        self.layer.setAccessibleName("Layer")
        self.layer.setToolTip("Whose weighted inputs z are marked on the curve: a hidden layer or the output.")
        self.function = QtWidgets.QComboBox()
        self.function.setAccessibleName("Activation function")
        self.function.setToolTip("The function drawn; it follows the chosen layer, or pick another to compare "
                                 "where the same z's would sit on it.")
        for key in activations.ACTIVATIONS:
            if not activations.get(key).output_only:
                self.function.addItem(NAMES.get(key, key), key)
        self.follow = QtWidgets.QCheckBox("the layer's own")
        self.follow.setChecked(True)
        self.follow.setToolTip("Draw the chosen layer's own activation (untick to try another function).")
        top.addWidget(QtWidgets.QLabel("Layer"))
        top.addWidget(self.layer, 1)
        top.addWidget(QtWidgets.QLabel("Function"))
        top.addWidget(self.function, 1)
        top.addWidget(self.follow)
        lay.addLayout(top)

        self.plot = pg.PlotWidget()
        theme.style_plot(self.plot.getPlotItem(), "", "weighted input z", "").hide()
        self.plot.setMinimumSize(420, 300)
        pi = self.plot.getPlotItem()
        pi.hideButtons()
        pi.setMouseEnabled(False, False)
        # The z histogram lies under the curves, scaled to a third of the plot's height.
        self.hist = pi.plot([], [], stepMode="center", fillLevel=0, pen=pg.mkPen("#999", width=1),
                            brush=pg.mkBrush(200, 200, 200))
        self.c_fn = pi.plot([], [], pen=theme.pen(0, width=3), name="f(z)")
        self.c_prime = pi.plot([], [], pen=theme.pen(1, QtCore.Qt.DashLine, width=3), name="f′(z)")
        self.dots = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(theme.colour(2)))
        pi.addItem(self.dots)
        lay.addWidget(self.plot, 1)
        self.key = QtWidgets.QLabel(
            f"<span style='color:{theme.colour(0)}'>━━ f(z)</span>&nbsp;&nbsp; "
            f"<span style='color:{theme.colour(1)}'>╍╍ f′(z), the slope backpropagation multiplies by</span>"
            f"&nbsp;&nbsp; <span style='color:{theme.colour(2)}'>● probe samples' z</span>&nbsp;&nbsp; "
            "<span style='color:#888'>▇ how many z's</span>")
        self.key.setWordWrap(True)
        lay.addWidget(self.key)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.z = np.zeros(0)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.layer.currentIndexChanged.connect(self._on_layer)
        self.function.currentIndexChanged.connect(lambda _: self.refresh())
        self.follow.toggled.connect(self._on_layer)

    def showEvent(self, event) -> None:  # noqa: N802
        self.timer.start()
        self.refresh()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        super().hideEvent(event)

    def _configure(self, network) -> None:
        """The layer list of a new network (the hidden layers and the output)."""
        self._network = network
        spec = network.spec
        with QtCore.QSignalBlocker(self.layer):
            self.layer.clear()
            for i in range(spec.n_layers):
                what = "output" if i == spec.n_layers - 1 else f"hidden {i + 1}"
                name = layer_activation(network, i)
                self.layer.addItem(f"{what} ({NAMES.get(name, name)}, {spec.sizes[i + 1]} units)", i)
        self._on_layer()

    def _on_layer(self, *_):
        net = self._network
        if net is not None and self.follow.isChecked():
            name = layer_activation(net, self.layer.currentData() or 0)
            i = self.function.findData(name)
            with QtCore.QSignalBlocker(self.function):
                if i >= 0:
                    self.function.setCurrentIndex(i)
        self.function.setEnabled(not self.follow.isChecked())
        self.refresh()

    def refresh(self) -> None:
        network, x = self.source()
        if network is None or x is None:
            return
        if network is not self._network:
            self._configure(network)
            return
        layer = int(self.layer.currentData() or 0)
        own = layer_activation(network, layer)
        softmax = activations.get(own).output_only and self.follow.isChecked()
        name = self.function.currentData()
        self.z = layer_z(network, x, layer)
        z = self.z.ravel()
        z = z[np.isfinite(z)]
        lo, hi = z_range(z)
        grid = np.linspace(lo, hi, 801)
        if softmax:
            # Softmax mixes every output: no curve of one z. Each dot is a z and its output.
            self.c_fn.setData([], [])
            self.c_prime.setData([], [])
            _, acts = network.forward_all(x)
            a = np.asarray(acts[layer + 1], dtype=np.float64).ravel()
            dots_y = a[np.isfinite(self.z.ravel())]
            y_lo, y_hi = 0.0, 1.0
        else:
            f, d = curves(name, grid)
            self.c_fn.setData(grid, f)
            self.c_prime.setData(grid, d)
            dots_y = curves(name, z)[0]
            y_lo, y_hi = float(min(f.min(), d.min(), 0.0)), float(max(f.max(), d.max(), 1.0))
        pick = np.linspace(0, len(z) - 1, min(len(z), MAX_DOTS)).astype(int) if len(z) else np.zeros(0, int)
        self.dots.setData(z[pick], dots_y[pick])
        span = y_hi - y_lo
        counts, edges = np.histogram(np.clip(z, lo, hi), bins=60, range=(lo, hi))
        top = counts.max() if counts.size and counts.max() > 0 else 1
        self.hist.setData(edges, y_lo + counts / top * span / 3)
        self.plot.getPlotItem().setRange(xRange=(lo, hi), yRange=(y_lo - 0.04 * span, y_hi + 0.04 * span),
                                         padding=0)
        self.summary.setText(self._summary(network, layer, name, z, softmax))

    def _summary(self, network, layer, name, z, softmax) -> str:
        n = len(z)
        rows = n // max(network.spec.sizes[layer + 1], 1)
        head = f"<b>{self.layer.currentText()}</b>: {n:,} values of z ({rows} probe samples × units)."
        if softmax or not n:
            return head + " Softmax's output depends on all of the layer's z's, so it has no single curve."
        share = saturated_share(name, z)
        if name in ("relu", "leaky_relu"):
            return (head + f" {100 * share:.0f} % of them are below 0, where the slope f′(z) is "
                    f"{'0' if name == 'relu' else 'tiny'}: those units pass (almost) no gradient back.")
        peak = float(curves(name, np.linspace(-HALF_SPAN, HALF_SPAN, 1201))[1].max())
        if share == 0:
            return head + " None sits where the curve is flat: every unit passes its gradient back."
        return (head + f" {100 * share:.0f} % sit where the slope f′(z) is under {100 * SATURATED:.0f} % of its "
                f"peak ({peak:.3g}): saturated, so the gradient through them nearly vanishes.")


class ExplorerDialog(QtWidgets.QDialog):
    def __init__(self, source, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Activation explorer")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.explorer = ActivationExplorer(source)
        lay.addWidget(self.explorer)
        self.resize(720, 520)


def open_explorer(window) -> ExplorerDialog:
    """The window's explorer dialog (one, made on first use), shown and raised."""
    dlg = getattr(window, "explorer_dialog", None)
    if dlg is None:
        def source():
            ctrl = window.controller
            s = None if ctrl is None else ctrl.active
            if s is None or s.network is None or s.trainer is None:
                return None, None
            return s.network, s.probe_x
        dlg = window.explorer_dialog = ExplorerDialog(source, window)
    dlg.show()
    dlg.raise_()
    return dlg
