"""The live training plots: loss, accuracy, per-layer gradient norms (log axis), weight norms,
and per-layer activation histograms as small multiples.

Plot items are created once per network structure and then only ``setData`` is called, from the
controller's ~30 Hz timer.
"""
from __future__ import annotations

import math

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets, pg
from . import theme
from .ranges import StickyRange, nice_ceiling
from .series import Series, peak_decimate

_DASH = QtCore.Qt.DashLine
_DOT = QtCore.Qt.DotLine

# Wide antialiased lines are what a projector needs, but Qt's cost for them grows with the length
# of line drawn, and a noisy curve (per-chunk loss, gradient norms) zigzags: 1000 points took
# 20-60 ms per plot, far over a frame's budget, and more with every point. So a curve is drawn
# antialiased while it is short; once it has more than DENSE_POINTS points (a long run at full
# speed) it is drawn without antialiasing (pyqtgraph then draws solid wide lines as segments),
# ~5-10x cheaper, and at that density it looks the same.
DENSE_POINTS = 200
SYMBOL_POINTS = 120      # per-epoch markers only while they stay apart
# A long curve is thinned before setData (min and max per pixel column, see peak_decimate), not by
# pyqtgraph's clip-to-view/auto-downsampling: those redo the data on every range change, and the
# repaint that follows lands in the same frame as the one for the new range.
POINTS_PER_PIXEL = 2


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class DecadeLogAxis(pg.AxisItem):
    """A log axis that labels only powers of ten (minor ticks stay as grid lines without text),
    so labels never crowd when the range covers a decade or two."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        out = []
        lo, hi = self.range
        few_decades = (hi - lo) < 2.6       # then 2x and 5x get labels too
        for v in values:
            k = round(v)
            if abs(v - k) > 1e-6:
                mant = 10 ** (v - np.floor(v))
                out.append(f"{10.0 ** v:.2g}" if few_decades and any(abs(mant - m) < 1e-3 for m in (2, 5))
                           else "")
            elif -3 <= k <= 3:
                out.append(f"{10.0 ** k:g}")
            else:
                out.append("10" + str(int(k)).translate(_SUPERSCRIPT))
        return out


def _plot_widget(title, x_label, y_label, y_units=None, log_y=False):
    w = pg.PlotWidget(axisItems={"left": DecadeLogAxis("left")} if log_y else None)
    w.setMinimumSize(170, 130)
    legend = theme.style_plot(w.getPlotItem(), title, x_label, y_label, y_units)
    for ax in ("left", "bottom"):
        w.getPlotItem().getAxis(ax).enableAutoSIPrefix(False)
    return w, legend


def set_curve_data(curve, x, y) -> None:
    """curve.setData(x, y), drawn in full quality while short and the cheap way once dense."""
    vb = curve.getViewBox()
    width = int(vb.width()) if vb is not None else 0
    x, y = peak_decimate(x, y, POINTS_PER_PIXEL * max(width, 200))
    dense = len(x) > DENSE_POINTS
    if getattr(curve, "_dense", None) is not dense:
        curve._dense = dense
        curve.opts["antialias"] = not dense   # setData passes it on to the curve item
    curve.setData(x, y)


def apply_view_now(plot_item) -> None:
    """pyqtgraph applies a new view range lazily, during the next paint, and that transform
    change asks for a second paint of the same plot right after: two paints a frame instead of
    one. Applying it as soon as the data and range are set keeps it to one."""
    plot_item.getViewBox().prepareForPaint()


def _curve(plot_widget, **kw):
    """A live curve: created once, then only setData (through set_curve_data)."""
    return plot_widget.plot([], [], **kw)


def _hist_titles(names: list[str]) -> list[str]:
    """Titles short enough that every histogram keeps a place in the strip.

    A pyqtgraph column is at least as wide as its title, so with four or more layers, or long
    names such as "hidden 3 (Leaky ReLU)", full titles push the last plots out of view. The full
    name stays in each plot's tooltip.
    """
    if len(names) <= 3 and max(map(len, names)) <= 18:
        return list(names)
    short = [n.replace("hidden ", "H").replace("output", "out") for n in names]
    if len(names) <= 4:
        return short
    return [n.split(" (")[0] for n in short]        # "H3", "out": the activation is in the tooltip


class HistogramStrip(pg.GraphicsLayoutWidget):
    """One small plot per layer: the distribution of that layer's activations on the probe batch."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(150)
        self._curves: list[pg.PlotDataItem] = []
        self._plots: list[pg.PlotItem] = []
        self._notes: list[pg.TextItem] = []
        self._ranges: list[StickyRange] = []
        self._names: list[str] = []

    def configure(self, layer_names: list[str], value_ranges=None) -> None:
        """One plot per layer; ``value_ranges`` (per layer, None where unbounded) fix the x axis
        of bounded activations (tanh: -1..1), so it never has to be redrawn."""
        value_ranges = list(value_ranges or [])
        value_ranges += [(None, None)] * (len(layer_names) - len(value_ranges))
        self.clear()
        self._curves, self._plots, self._notes, self._ranges = [], [], [], []
        self._names = list(layer_names)
        font = QtGui.QFont()
        font.setPointSize(theme.TICK_PT - 1)
        for i, (name, title) in enumerate(zip(layer_names, _hist_titles(layer_names))):
            p = self.addPlot(row=0, col=i)
            p.setTitle(title, size=f"{theme.TICK_PT}pt")
            p.setToolTip(name)
            p.getAxis("bottom").setTickFont(font)
            p.getAxis("left").setTickFont(font)
            p.getAxis("left").setWidth(40)
            p.hideButtons()
            p.setMouseEnabled(False, False)
            theme.cache_static_parts(p)
            # Bars are axis-aligned: antialiasing would change almost nothing and cost ~3x the paint.
            c = p.plot(np.array([]), np.array([]), stepMode="center", fillLevel=0,
                       brush=pg.mkBrush(theme.mix_white(theme.colour(i), 0.6)),
                       pen=pg.mkPen(theme.colour(i), width=1.5), antialias=False)
            note = pg.TextItem("", color="#8a1010", anchor=(0.5, 0))
            note.setParentItem(p.getViewBox())
            note.setPos(10, 2)
            f = QtGui.QFont()
            f.setPointSize(theme.TICK_PT - 1)
            f.setBold(True)
            note.setFont(f)
            self._plots.append(p)
            self._curves.append(c)
            self._notes.append(note)
            self._ranges.append(_HistRange(p, value_ranges[i]))
            self._ranges[-1].show_empty()

    def update_histograms(self, histograms) -> None:
        for h in histograms or ():
            self.update_layer(h)

    def update_layer(self, h) -> None:
        """Draw one layer's histogram (a LayerHistogram); other layers stay as they are."""
        i = int(h.layer)
        if not 0 <= i < len(self._curves):
            return
        counts = np.asarray(h.a_counts, dtype=float)
        total = counts.sum()
        frac = counts / total * 100.0 if total > 0 else counts
        edges = np.asarray(h.a_edges, dtype=float)
        self._curves[i].setData(edges, frac)
        self._ranges[i].update(edges, frac)
        extra = []
        vb = self._plots[i].getViewBox()
        narrow = vb.width() < 150          # many layers: short words, or the note is clipped
        if h.dead_fraction > 0.005:
            extra.append(f"{h.dead_fraction:.0%} dead")
        if h.saturated_fraction > 0.005:
            extra.append(f"{h.saturated_fraction:.0%} {'sat.' if narrow else 'saturated'}")
        text = ", ".join(extra)
        note = self._notes[i]
        if note.toPlainText() != text:
            note.setText(text)
        note.setPos(vb.width() / 2, 2)
        apply_view_now(self._plots[i])


class _HistRange:
    """Sticky x/y ranges for one histogram (see ranges.py: axes re-layout only when needed).
    A bound of the activation's values, where there is one, replaces the data's own."""

    def __init__(self, plot, bounds=(None, None)):
        self.plot = plot
        plot.disableAutoRange()
        self.bounds = bounds
        self.x = None
        self.y = None

    def show_empty(self) -> None:
        """Before any data: the activation's own range (0..1 where it has none), 0-100 %."""
        lo, hi = self.bounds
        lo = 0.0 if lo is None else lo
        hi = max(lo + 1.0, 1.0) if hi is None else hi
        self.update(np.array([lo, hi]), np.array([100.0 / 1.1]))

    def update(self, edges, frac):
        lo, hi = float(edges[0]), float(edges[-1])
        if self.bounds[0] is not None:
            lo = float(self.bounds[0])
        if self.bounds[1] is not None:
            hi = float(self.bounds[1])
        span = max(hi - lo, 1e-6)
        if self.x is None or lo < self.x[0] or hi > self.x[1] or (self.x[1] - self.x[0]) > 3 * span:
            self.x = (lo - 0.05 * span, hi + 0.05 * span)
            self.plot.setXRange(*self.x, padding=0)
        top = float(np.max(frac)) if len(frac) else 1.0
        if self.y is None or top > self.y or top < self.y / 3:
            self.y = nice_ceiling(top * 1.1)
            self.plot.setYRange(0, self.y, padding=0)


class PlotsPanel(QtWidgets.QWidget):
    sigXAxisChanged = QtCore.Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.by_samples = False
        self._n_layers = 0
        self.points_drawn = 0           # how many setData rounds happened (selftest evidence)
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setSpacing(4)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("x axis:"))
        self.x_axis = QtWidgets.QComboBox()
        self.x_axis.addItems(["epochs", "samples seen"])
        self.x_axis.setAccessibleName("Plot x axis")
        self.x_axis.currentIndexChanged.connect(self._on_x_axis)
        top.addWidget(self.x_axis)
        self.key = QtWidgets.QLabel(
            f"<span style='color:{theme.colour(0)}'>━━ training</span>&nbsp;&nbsp; "
            f"<span style='color:{theme.colour(1)}'>╍╍ validation</span>&nbsp;&nbsp; "
            f"<span style='color:{theme.colour(2)}'>┅┅ test</span>&nbsp;&nbsp; "
            f"<span style='color:{theme.mix_white(theme.colour(0), 0.45).name()}'>── running</span>")
        self.key.setWordWrap(True)
        self.key.setMinimumWidth(60)
        self.key.setToolTip("Line styles of the loss and accuracy plots")
        self.log_loss = QtWidgets.QCheckBox("log loss axis")
        top.addWidget(self.log_loss)
        top.addStretch(1)
        grid.addLayout(top, 0, 0, 1, 2)
        self.key.setWordWrap(False)
        grid.addWidget(self.key, 1, 0, 1, 2)
        # One key for both per-layer plots (the same colour is the same layer), instead of legend
        # boxes that cover the curves.
        self.layer_key = QtWidgets.QLabel()
        self.layer_key.setWordWrap(True)

        self.loss, self.loss_legend = _plot_widget("Loss", "epoch", "mean cost")
        self.accuracy, self.acc_legend = _plot_widget("Accuracy", "epoch", "accuracy", "%")
        self.accuracy.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.accuracy.setYRange(0, 100, padding=0.02)
        self.grad, self.grad_legend = _plot_widget("Gradient norm", "epoch", "‖∂C/∂W‖ (log scale)",
                                                   log_y=True)
        self.grad.getPlotItem().setLogMode(y=True)
        self.wnorm, self.w_legend = _plot_widget("Weight norm", "epoch", "‖W‖")
        self.hist = HistogramStrip()

        grid.addWidget(self.loss, 2, 0)
        grid.addWidget(self.accuracy, 2, 1)
        grid.addWidget(self.layer_key, 3, 0, 1, 2)
        grid.addWidget(self.grad, 4, 0)
        grid.addWidget(self.wnorm, 4, 1)
        hist_box = QtWidgets.QVBoxLayout()
        cap = QtWidgets.QLabel("<b>Activations per layer</b> (share of probe samples, %)")
        hist_box.addWidget(cap)
        hist_box.addWidget(self.hist)
        grid.addLayout(hist_box, 5, 0, 1, 2)
        grid.setRowStretch(2, 3)
        grid.setRowStretch(4, 3)
        grid.setRowStretch(5, 2)

        # Curves created once; setData afterwards.
        self.c_running = _curve(self.loss, name="training (running)",
                                pen=pg.mkPen(theme.mix_white(theme.colour(0), 0.4), width=1.2))
        self.c_train_loss = _curve(self.loss, name="training", pen=theme.pen(0), symbol="o", symbolSize=5,
                                   symbolBrush=theme.colour(0), symbolPen=None)
        self._symbols = True
        self.c_val_loss = _curve(self.loss, name="validation", pen=theme.pen(1, _DASH))
        self.c_test_loss = _curve(self.loss, name="test", pen=theme.pen(2, _DOT))
        self.c_train_acc = _curve(self.accuracy, name="training", pen=theme.pen(0))
        self.c_val_acc = _curve(self.accuracy, name="validation", pen=theme.pen(1, _DASH))
        self.c_test_acc = _curve(self.accuracy, name="test", pen=theme.pen(2, _DOT))
        # Keys above the plots replace legend boxes over the data.
        for legend in (self.loss_legend, self.acc_legend, self.grad_legend, self.w_legend):
            legend.hide()
        self.grad_curves: list[pg.PlotDataItem] = []
        self.w_curves: list[pg.PlotDataItem] = []
        self.snap_series = Series(1)
        self.layer_series = Series(2)
        self.epoch_series = Series(6)
        self._dirty = set()
        self._pending_hist: dict = {}       # layer -> LayerHistogram not drawn yet
        self.r_loss = StickyRange(self.loss.getPlotItem())
        self.r_acc = StickyRange(self.accuracy.getPlotItem(), fixed_y=(0, 100))
        self.r_grad = StickyRange(self.grad.getPlotItem(), log_y=True)
        self.r_w = StickyRange(self.wnorm.getPlotItem())
        self.log_loss.toggled.connect(self._on_log_loss)

    # ------------------------------------------------------------------ structure
    def configure(self, layer_names: list[str], hist_names: list[str], value_ranges=None) -> None:
        """New network: one gradient / weight curve per layer. Clears all data. ``value_ranges``:
        per layer, the range its activation can take (see HistogramStrip.configure)."""
        for c in self.grad_curves:
            self.grad.removeItem(c)
        for c in self.w_curves:
            self.wnorm.removeItem(c)
        self.grad_legend.clear()
        self.w_legend.clear()
        self._n_layers = len(layer_names)
        self.grad_curves = [_curve(self.grad, name=n, pen=theme.pen(i), connect="finite")
                            for i, n in enumerate(layer_names)]
        self.layer_key.setText("<b>Per layer:</b>&nbsp; " + "&nbsp;&nbsp; ".join(
            f"<span style='color:{theme.colour(i)}'>━━&nbsp;{n.replace(' ', '&nbsp;')}</span>"   # never wrap inside
            for i, n in enumerate(layer_names)))
        self.w_curves = [_curve(self.wnorm, name=n, pen=theme.pen(i)) for i, n in enumerate(layer_names)]
        self.snap_series = Series(1)
        self.layer_series = Series(2 * self._n_layers)
        self.epoch_series = Series(6)
        self.hist.configure(hist_names, value_ranges)
        self._pending_hist = {}
        for r in (self.r_loss, self.r_acc, self.r_grad, self.r_w):
            r.reset()
            r.plot.setXRange(0, 1, padding=0.01)
        self._dirty = set(self.PARTS)
        while self._dirty:
            self.redraw()

    # ------------------------------------------------------------------ data in
    def add_snapshot(self, snap) -> None:
        ep = float(snap.epoch_fraction)
        ss = float(snap.samples_seen)
        if math.isfinite(snap.train_loss):
            self.snap_series.append(ep, ss, [snap.train_loss])
        g = np.asarray(snap.grad_w_norm, dtype=float)[: self._n_layers]
        w = np.asarray(snap.weight_norm, dtype=float)[: self._n_layers]
        if len(g) == self._n_layers and len(w) == self._n_layers:
            # A zero gradient (before the first batch) has no place on a log axis: leave a gap.
            self.layer_series.append(ep, ss, np.concatenate([np.where(g > 0, g, np.nan), w]))
        self._dirty.update(("loss", "grad", "wnorm"))

    def set_histograms(self, histograms) -> None:
        self._pending_hist = {int(h.layer): h for h in histograms or ()}
        if self._pending_hist:
            self._dirty.add("hist")

    def add_epoch(self, rec, samples_seen: float) -> None:
        def val(v, scale=1.0):
            return np.nan if v is None else float(v) * scale

        self.epoch_series.append(float(rec.epoch), float(samples_seen), [
            val(rec.training_loss), val(rec.validation_loss), val(rec.test_loss),
            val(rec.training_accuracy, 100), val(rec.validation_accuracy, 100), val(rec.test_accuracy, 100)])
        self._dirty.update(("loss", "accuracy"))

    # ------------------------------------------------------------------ drawing
    PARTS = ("loss", "accuracy", "grad", "wnorm", "hist")

    def redraw(self, budget: int | None = None) -> int:
        """Redraw changed plots, at most ``budget`` of them (round robin), so one frame never
        repaints every plot at once. Returns how many were redrawn. A part's _draw_ method
        returns True when it drew only some of its change."""
        done = 0
        for _ in range(len(self.PARTS)):
            if not self._dirty or (budget is not None and done >= budget):
                break
            part = self.PARTS[self._rr % len(self.PARTS)]
            self._rr += 1
            if part in self._dirty:
                self._dirty.discard(part)
                if getattr(self, "_draw_" + part)():
                    self._dirty.add(part)       # more to draw: this part comes first next frame
                    self._rr -= 1
                widget = getattr(self, part, None)        # loss, accuracy, grad, wnorm: a PlotWidget
                if isinstance(widget, pg.PlotWidget):
                    apply_view_now(widget.getPlotItem())
                done += 1
        if done:
            self.points_drawn += 1
        return done

    _rr = 0

    def _x_max(self) -> float:
        """The newest x of any series: every line plot sizes its x axis from it, so the four
        plots show the same span even though each is redrawn in a different frame."""
        bs = self.by_samples
        return max([series.x(bs)[-1] for series in (self.snap_series, self.layer_series, self.epoch_series)
                    if series.n] or [0.0])

    def _draw_loss(self):
        bs = self.by_samples
        s, e = self.snap_series, self.epoch_series
        set_curve_data(self.c_running, s.x(bs), s.col(0))
        ex = e.x(bs)
        ys = [s.col(0)]
        symbols = e.n <= SYMBOL_POINTS
        if symbols != self._symbols:
            self._symbols = symbols
            self.c_train_loss.setSymbol("o" if symbols else None)
        for curve, j in ((self.c_train_loss, 0), (self.c_val_loss, 1), (self.c_test_loss, 2)):
            y = e.col(j)
            ok = np.isfinite(y)
            set_curve_data(curve, ex[ok], y[ok])
            ys.append(y[ok])
        x_max = self._x_max()
        if self.log_loss.isChecked():
            ys = [np.log10(np.maximum(y, 1e-12)) for y in ys]
        self.r_loss.update(x_max, ys)

    def _draw_accuracy(self):
        e = self.epoch_series
        ex = e.x(self.by_samples)
        for curve, j in ((self.c_train_acc, 3), (self.c_val_acc, 4), (self.c_test_acc, 5)):
            y = e.col(j)
            ok = np.isfinite(y)
            set_curve_data(curve, ex[ok], y[ok])
        self.r_acc.update(self._x_max(), [])

    def _draw_grad(self):
        ls = self.layer_series
        lx = ls.x(self.by_samples)
        for i in range(self._n_layers):
            set_curve_data(self.grad_curves[i], lx, ls.col(i))
        self.r_grad.update(self._x_max(), [ls.col(i) for i in range(self._n_layers)])

    def _draw_wnorm(self):
        ls = self.layer_series
        lx = ls.x(self.by_samples)
        for i in range(self._n_layers):
            set_curve_data(self.w_curves[i], lx, ls.col(self._n_layers + i))
        self.r_w.update(self._x_max(), [ls.col(self._n_layers + i) for i in range(self._n_layers)])

    def _draw_hist(self) -> bool:
        """One layer per frame (a layer with its axes costs about as much as a whole line plot);
        True while layers are left."""
        if self._pending_hist:
            layer = min(self._pending_hist)
            self.hist.update_layer(self._pending_hist.pop(layer))
        return bool(self._pending_hist)

    def _on_log_loss(self, on: bool) -> None:
        self.loss.getPlotItem().setLogMode(y=on)
        self.r_loss.log_y = False   # values are passed already in log10 when on
        self.r_loss.reset()
        self._dirty.add("loss")

    def _on_x_axis(self, index: int) -> None:
        self.by_samples = index == 1
        label = "samples seen" if self.by_samples else "epoch"
        for w in (self.loss, self.accuracy, self.grad, self.wnorm):
            w.getPlotItem().setLabel("bottom", label, **{"font-size": f"{theme.AXIS_LABEL_PT}pt"})
            # Sample counts run to six digits and more: "(x1e+05)" once, not colliding labels.
            w.getPlotItem().getAxis("bottom").enableAutoSIPrefix(self.by_samples)
        for r in (self.r_loss, self.r_acc, self.r_grad, self.r_w):
            r.reset()
        self._dirty = set(self.PARTS)
        self.sigXAxisChanged.emit(self.by_samples)

    def plot_widgets(self) -> dict:
        return {"loss": self.loss, "accuracy": self.accuracy, "gradients": self.grad, "weights": self.wnorm}

    def epoch_rows(self) -> np.ndarray:
        return self.epoch_series.rows()
