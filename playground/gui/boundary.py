"""Decision boundary of a 2-D classifier: the network's P(class 1) on a grid as a heat map, with
training points (filled) and test points (hollow) on top. While a hidden neuron is hovered in the
diagram, that neuron's own output is shown instead."""
from __future__ import annotations

import numpy as np

from ._qt import QtCore, QtWidgets, pg
from . import theme

GRID = 100
TITLE = "Decision boundary (● training, ○ test points)"


def class_one_probability(out: np.ndarray) -> np.ndarray:
    """P(class 1) from the output layer: one sigmoid unit, or two units (softmax or sigmoids)."""
    out = np.asarray(out, dtype=np.float64)
    if out.shape[1] == 1:
        return out[:, 0]
    a = out[:, 1]
    s = out[:, 0] + out[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(s > 0, a / s, 0.5)
    return np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0)


class DecisionBoundaryView(pg.PlotWidget):
    def __init__(self, parent=None, grid: int = GRID):
        super().__init__(parent)
        self.n = int(grid)            # grid points per side (several small maps at once: fewer)
        self.setMinimumSize(200, 200)
        plot = self.getPlotItem()
        self.legend = theme.style_plot(plot, None, "x₁", "x₂")
        self.legend.hide()        # the title says which points are which; no box over the data
        # The title is a QLabel above the plot (NetworkViews places it): it wraps when narrow,
        # where a pyqtgraph title would force the plot wider than its widget and clip it.
        self.title_label = QtWidgets.QLabel(TITLE)
        self.title_label.setAlignment(QtCore.Qt.AlignCenter)
        self.title_label.setWordWrap(True)
        f = self.title_label.font()
        f.setPointSize(theme.TITLE_PT)
        f.setBold(True)
        self.title_label.setFont(f)
        plot.setAspectLocked(True)
        plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(theme.diverging_lut())
        plot.addItem(self.image)
        self.image.setZValue(-10)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#222", width=0.8), name="training points")
        self.test_points = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(255, 255, 255, 200), symbol="o",
                                              name="test points")
        plot.addItem(self.train_points)
        plot.addItem(self.test_points)
        self.extent = (-1.5, 1.5, -1.5, 1.5)          # the data's square, plus a margin
        self.grid_extent = self.extent                # what the heat map covers: the whole view
        self.grid = self._make_grid(self.grid_extent)
        self.neuron: tuple[int, int] = (-1, -1)
        self.updates = 0
        self._network = None
        # The view box changes size after a dataset switch (the page was hidden, the diagram moved
        # between pages) and with the window: the data's range is applied again each time, or the
        # aspect lock keeps stretching the old range (spirals in a middle band of a +-3 plot).
        plot.getViewBox().sigResized.connect(self._fit)

    def _make_grid(self, extent) -> np.ndarray:
        x0, x1, y0, y1 = extent
        xs = np.linspace(x0, x1, self.n)
        ys = np.linspace(y0, y1, self.n)
        gx, gy = np.meshgrid(xs, ys)     # row = y, column = x: matches row-major image order
        return np.ascontiguousarray(np.column_stack([gx.ravel(), gy.ravel()]), dtype=np.float32)

    def set_points(self, x_train, y_train, x_test, y_test) -> None:
        pts = np.concatenate([x_train, x_test]) if len(x_test) else np.asarray(x_train)
        lo = pts.min(axis=0)
        hi = pts.max(axis=0)
        # A square extent: the plot keeps aspect 1:1, so the heat map fills it without white bands.
        centre = (lo + hi) / 2
        half = float(max(hi - lo)) / 2 + 0.15
        self.extent = (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half),
                       float(centre[1] + half))
        cols = [pg.mkBrush(c) for c in theme.CLASS_COLOURS]
        pens = [pg.mkPen(c, width=2) for c in theme.CLASS_COLOURS]
        self.train_points.setData(pos=np.asarray(x_train, float),
                                  brush=[cols[int(k) % 2] for k in y_train])
        self.test_points.setData(pos=np.asarray(x_test, float) if len(x_test) else np.zeros((0, 2)),
                                 pen=[pens[int(k) % 2] for k in y_test])
        self.image.setImage(np.full((self.n, self.n), 0.5, np.float32), autoLevels=False, levels=(0.0, 1.0))
        self._network = None                # a new dataset comes with a new network
        self.grid_extent = None
        self._fit()

    def _fit(self, *_args) -> None:
        """Show the data's extent, and lay the heat map over the whole view (the aspect lock makes
        one side longer than the data's): no white bands around the map."""
        x0, x1, y0, y1 = self.extent
        vb = self.getPlotItem().getViewBox()
        vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        (vx0, vx1), (vy0, vy1) = vb.viewRange()
        extent = (float(vx0), float(vx1), float(vy0), float(vy1))
        if self.grid_extent is not None and np.allclose(extent, self.grid_extent, rtol=0, atol=1e-6):
            return
        self.grid_extent = extent
        self.grid = self._make_grid(extent)
        # After setImage: the rect maps the n x n pixels onto the grid's extent.
        self.image.setRect(QtCore.QRectF(vx0, vy0, vx1 - vx0, vy1 - vy0))
        if self._network is not None:
            self.refresh(self._network)

    def set_neuron(self, layer: int, unit: int, name: str = "") -> None:
        self.neuron = (layer, unit)
        self.title_label.setText(f"Output of {name}, unit {unit + 1}" if layer > 0 else TITLE)

    def refresh(self, network) -> None:
        """One forward pass over the n x n grid (cheap: 10k points through a small net)."""
        self._network = network
        layer, unit = self.neuron
        # forward_all, not forward: a hovered neuron's heat map needs every layer's activations.
        _, acts = network.forward_all(self.grid)
        if layer > 0:
            idx = layer if len(acts) == len(network.spec.sizes) else layer - 1
            a = np.asarray(acts[idx], dtype=np.float64)[:, unit]
            lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
            if not np.isfinite(lo) or not np.isfinite(hi):
                return
            m = max(abs(lo), abs(hi), 1e-6)
            # Symmetric levels so white means 0 for tanh-like units; sigmoids use [0, 1].
            levels = (0.0, 1.0) if lo >= 0 and hi <= 1 else (-m, m)
            self.image.setImage(a.reshape(self.n, self.n).astype(np.float32), autoLevels=False, levels=levels)
        else:
            p = class_one_probability(acts[-1])
            self.image.setImage(p.reshape(self.n, self.n).astype(np.float32), autoLevels=False, levels=(0.0, 1.0))
        self.updates += 1
