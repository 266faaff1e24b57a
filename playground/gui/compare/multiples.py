"""Small multiples, one row per twin: its card, its decision boundary (2-D data), its per-layer
gradient norms and its activation histograms. Same axes for every twin (linked view boxes, one
y range per histogram layer), so "the first layer learns 100x slower with sigmoid" is read off
at a glance, one row above the other.

Within a twin, layers are told apart by line style in the twin's colour (━ first layer, ╍ second,
┅ third ...): the colour stays the twin's, as on the overlaid curves."""
from __future__ import annotations

import numpy as np

from playground.core import activations

from .._qt import QtCore, QtWidgets, pg
from .. import theme
from ..axes import DecadeLogAxis
from ..boundary import DecisionBoundaryView
from ..frames import layer_names
from ..histograms import HistogramStrip
from ..plots import apply_view_now, set_curve_data
from ..ranges import StickyRange
from .overlay import plot_widget
from .rows import TwinInfo

STYLES = (QtCore.Qt.SolidLine, QtCore.Qt.DashLine, QtCore.Qt.DotLine, QtCore.Qt.DashDotLine,
          QtCore.Qt.DashDotDotLine)
# A 60 x 60 map (3,600 points) costs a third of the Train page's 100 x 100, and several are redrawn.
BOUNDARY_GRID = 60
STYLE_GLYPHS = ("━━", "╍╍", "┅┅", "━┅", "━┅┅")


def layer_pen(colour: str, layer: int):
    """The twin's colour; the first layer thickest and darkest, later layers lighter and dashed."""
    c = theme.mix_white(colour, max(1.0 - 0.25 * layer, 0.4))
    return pg.mkPen(c, width=theme.LINE_WIDTH + (0.8 if layer == 0 else 0), style=STYLES[layer % len(STYLES)])


def layer_key(n_layers: int) -> str:
    return "&nbsp;&nbsp;".join(f"{STYLE_GLYPHS[i % len(STYLE_GLYPHS)]}&nbsp;W{i + 1}" for i in range(n_layers))


def caption(text: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setWordWrap(True)
    return label


class TwinPlots:
    """One twin's row: widgets created once per twin (and network); only setData afterwards."""

    def __init__(self, label: str, colour: str, network, dataset):
        self.colour = colour
        self.network = network
        spec = network.spec
        self.n_layers = spec.n_layers
        self.info = TwinInfo(label, colour)
        self.boundary = None
        if dataset.image_shape is None and dataset.x_train.shape[1] == 2:
            self.boundary = DecisionBoundaryView(grid=BOUNDARY_GRID)
            self.boundary.setMinimumSize(100, 100)
            # No axis titles and a narrow y axis: the map is the point, and the row is short.
            item = self.boundary.getPlotItem()
            for name in ("left", "bottom"):
                item.getAxis(name).showLabel(False)
            item.getAxis("left").setWidth(28)
            self.boundary.set_points(dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test)
        self.grad = plot_widget("", "epoch", "", left_axis=DecadeLogAxis("left"), min_size=(150, 95))
        self.grad.getPlotItem().setLogMode(y=True)
        self.grad.getPlotItem().getAxis("left").setWidth(44)     # "0.001" and no more: room for curves
        self.grad_curves = [self.grad.plot([], [], pen=layer_pen(colour, i), connect="finite")
                            for i in range(self.n_layers)]
        self.grad.setToolTip(f"{label}: gradient norm of each layer's weights (log scale); "
                             + ", ".join(f"{STYLE_GLYPHS[i % 5]} W{i + 1}" for i in range(self.n_layers)))
        # Titles "H1", "H2", "out": a pyqtgraph column is as wide as its title, and three layers
        # share a third of the row. The full name is the tooltip.
        names = layer_names(spec)
        acts = list(spec.hidden_activations) + [spec.output_activation]
        self.hist = HistogramStrip()
        self.hist.setMinimumHeight(95)
        self.hist.configure([n.split(" (")[0].replace("hidden ", "H").replace("output", "out") for n in names],
                            [activations.get(a).value_range for a in acts], colour=colour)
        for layer, name in zip(self.hist.layers, names):
            layer.plot.setToolTip(f"{label}: activations of {name}")
        self._pending_hist: dict = {}
        self._last_layer = -1
        self.boundary_seq = -1

    def widgets(self) -> list:
        return [w for w in (self.info, self.boundary, self.grad, self.hist) if w is not None]

    def draw_grad(self, trace) -> None:
        x = trace.snaps.x(False)
        for i, curve in enumerate(self.grad_curves):
            y = trace.grad(i)
            with np.errstate(invalid="ignore"):
                set_curve_data(curve, x, np.where(np.isfinite(y) & (y > 0), y, np.nan))

    def take_histograms(self, histograms) -> None:
        self._pending_hist = {int(h.layer): h for h in histograms or ()}

    def draw_hist_layer(self) -> int | None:
        """One pending layer drawn, the next after the last one drawn (a newer probe arriving
        before all were drawn must not restart at the first layer); None if none was pending."""
        if not self._pending_hist:
            return None
        after = [k for k in sorted(self._pending_hist) if k > self._last_layer]
        layer = after[0] if after else min(self._pending_hist)
        self._last_layer = layer
        self.hist.update_layer(self._pending_hist.pop(layer))
        return layer

    def close(self) -> None:
        for w in self.widgets():
            w.setParent(None)
            w.deleteLater()


class Multiples(QtWidgets.QWidget):
    """The twins' rows one above the other, under one caption per kind of plot."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QtWidgets.QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(4)
        self.rows: list[TwinPlots] = []
        self.twin_caption = caption("<b>Twin</b>")
        self.boundary_caption = caption("<b>Decision boundary</b>")
        self.boundary_caption.setToolTip("● training points, ○ test points; colour: the network's P(class 1)")
        self.grad_caption = caption()
        self.grad_caption.setToolTip("Every twin on the same axes (log scale): a layer that learns 100x slower "
                                     "sits two decades lower")
        self.hist_caption = caption("<b>Activations per layer</b> (%)")
        self.hist_caption.setToolTip("Share of the probe samples per activation value; the same layer of every "
                                     "twin on the same y axis")
        self.captions = (self.twin_caption, self.boundary_caption, self.grad_caption, self.hist_caption)
        for j, w in enumerate(self.captions):
            self.grid.addWidget(w, 0, j, QtCore.Qt.AlignBottom)
        self.r_grad = None

    def configure(self, rows: list[TwinPlots]) -> None:
        """Lay ``rows`` out (the page closes the rows it drops)."""
        for r in self.rows:
            for w in r.widgets():
                self.grid.removeWidget(w)
        for i in range(1, self.grid.rowCount()):
            self.grid.setRowStretch(i, 0)
        self.rows = rows
        boundaries = any(r.boundary is not None for r in rows)
        self.boundary_caption.setVisible(boundaries)
        depth = max((r.n_layers for r in rows), default=1)
        self.grad_caption.setText(f"<b>Gradient norm</b> (log): {layer_key(depth)}")
        for i, r in enumerate(rows, start=1):
            self.grid.addWidget(r.info, i, 0)
            if r.boundary is not None:
                self.grid.addWidget(r.boundary, i, 1)
            self.grid.addWidget(r.grad, i, 2)
            self.grid.addWidget(r.hist, i, 3)
            self.grid.setRowStretch(i, 1)
        for j, stretch in enumerate((0, 0, 3, 4)):
            self.grid.setColumnStretch(j, stretch)
        self._fit_boundaries()
        # Same axes: every gradient plot follows the first one's view.
        if rows:
            lead = rows[0].grad
            for r in rows[1:]:
                r.grad.setXLink(lead)
                r.grad.setYLink(lead)
            self.r_grad = StickyRange(lead.getPlotItem(), log_y=True)
            lead.setYRange(-3, 0, padding=0.02)
            # The epoch axis once, under the last row: the rows line up above it.
            for r in rows:
                r.grad.getPlotItem().getAxis("bottom").showLabel(r is rows[-1])
        else:
            self.r_grad = None

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_boundaries()

    def _fit_boundaries(self) -> None:
        """Boundaries as wide as a row is high: the map keeps its aspect ratio, so a wider cell
        is empty band and a narrower one shows the data as a thumbnail in a tall strip."""
        maps = [r.boundary for r in self.rows if r.boundary is not None]
        if not maps:
            return
        spacing = self.grid.verticalSpacing()
        rows_h = self.height() - self.grad_caption.sizeHint().height() - spacing * len(self.rows)
        # The view box square: the row's height less the x axis, plus the y axis' width.
        axes = maps[0].getPlotItem()
        extra = axes.getAxis("left").width() - axes.getAxis("bottom").height()
        side = int(max(100, min(rows_h / len(self.rows) + extra, self.width() * 0.3)))
        for m in maps:
            if m.width() != side:
                m.setFixedWidth(side)

    def draw_grad(self, j: int, traces, x_span) -> None:
        """Twin ``j``'s gradient curves (one plot a frame: each repaint costs as much as a line
        plot); the shared range follows every twin's data."""
        if not 0 <= j < len(self.rows):
            return
        self.rows[j].draw_grad(traces[j])
        self.r_grad.update(x_span, [tr.grad(i) for tr in traces for i in range(tr.n_layers)])
        apply_view_now(self.rows[j].grad.getPlotItem())

    def draw_hist(self, j: int) -> bool:
        """One layer of twin ``j``'s histograms; the same layer of every twin then shares one
        pair of axes (the highest y, the widest x). True if there was something to draw."""
        layer = self.rows[j].draw_hist_layer()
        if layer is None:
            return False
        share_layer_axes([r.hist.layers[layer] for r in self.rows if layer < len(r.hist.layers)])
        return True


def share_layer_axes(layers) -> None:
    """The same layer of each twin on one y axis (the highest); on one x axis too (the widest)
    where the activations have the same range: sigmoid's 0..1 drawn on ReLU's 0..8 would hide
    the saturation a lesson is about."""
    ys = [lay.y for lay in layers if lay.y is not None]
    if not ys:
        return
    y = max(ys)
    for lay in layers:
        if lay.y != y:
            lay.y = y
            lay.plot.setYRange(0, y, padding=0)
    groups: dict = {}
    for lay in layers:
        if lay.x is not None:
            groups.setdefault(tuple(lay.bounds), []).append(lay)
    for same in groups.values():
        x = (min(lay.x[0] for lay in same), max(lay.x[1] for lay in same))
        for lay in same:
            if lay.x != x:
                lay.x = x
                lay.plot.setXRange(*x, padding=0)
