"""The live training plots: loss, accuracy, per-layer gradient norms (log axis), weight norms,
and per-layer activation histograms as small multiples (histograms.py).

Plot items are created once per network structure and then only ``setData`` is called, from the
frame scheduler's ~30 Hz timer (frames.py).
"""
from __future__ import annotations

import math

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets, pg
from . import theme
from .axes import DecadeLogAxis, SpacedAxis
from .histograms import HistogramStrip
from .markers import ChangeMarkers, OffScale
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
# A curve of one point has no line to draw: after Reset and one Step batch the plots looked empty.
# Short curves get a dot on every point.
FEW_POINTS = 15
# A long curve is thinned before setData (min and max per pixel column, see peak_decimate), not by
# pyqtgraph's clip-to-view/auto-downsampling: those redo the data on every range change, and the
# repaint that follows lands in the same frame as the one for the new range.
POINTS_PER_PIXEL = 2
PLOT_MIN_HEIGHT = 165


def _plot_widget(title, x_label, y_label, y_units=None, log_y=False):
    axes = {"bottom": SpacedAxis("bottom")}
    if log_y:
        axes["left"] = DecadeLogAxis("left")
    w = pg.PlotWidget(axisItems=axes)
    # 165 px: the accuracy axis still shows 0, 50 and 100 (at 130-150 only 50 was left).
    w.setMinimumSize(170, PLOT_MIN_HEIGHT)
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
    if getattr(curve, "_dots", False):
        few = len(x) <= FEW_POINTS
        if curve._few is not few:
            curve._few = few
            curve.setSymbol("o" if few else None)
    curve.setData(x, y)


def apply_view_now(plot_item) -> None:
    """pyqtgraph applies a new view range lazily, during the next paint, and that transform
    change asks for a second paint of the same plot right after: two paints a frame instead of
    one. Applying it as soon as the data and range are set keeps it to one."""
    plot_item.getViewBox().prepareForPaint()


def _curve(plot_widget, dots=True, **kw):
    """A live curve: created once, then only setData (through set_curve_data). ``dots``: a dot on
    each point while the curve is short (FEW_POINTS)."""
    if dots:
        kw.setdefault("symbolBrush", kw["pen"].color())
        kw.update(symbolPen=None, symbolSize=6, symbol=None)
    curve = plot_widget.plot([], [], **kw)
    curve._dots, curve._few = dots, None
    return curve


class PlotsPanel(QtWidgets.QWidget):
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
        self.grad, self.grad_legend = _plot_widget("Gradient norm", "epoch", "‖∂C/∂W‖ (log)",
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
        self.c_train_loss = _curve(self.loss, dots=False, name="training", pen=theme.pen(0), symbol="o",
                                   symbolSize=5, symbolBrush=theme.colour(0), symbolPen=None)
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
        self.grad_off: list[OffScale] = []
        self.grad.setToolTip("Gradient norm per layer, log scale. ▼ on the bottom edge: the norm is 0 "
                             "(a log scale has no place for it); ▲ on the top edge: infinite or not a number.")
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
        self._x_span = None                 # one x range for the four line plots (see _x_target)
        self.log_loss.toggled.connect(self._on_log_loss)
        self.markers = ChangeMarkers([self.loss.getPlotItem(), self.accuracy.getPlotItem()])

    # ------------------------------------------------------------------ structure
    def configure(self, layer_names: list[str], hist_names: list[str], value_ranges=None) -> None:
        """New network: one gradient / weight curve per layer. Clears all data. ``value_ranges``:
        per layer, the range its activation can take (see HistogramStrip.configure)."""
        for c in self.grad_curves + [item for off in self.grad_off for item in off.items()]:
            self.grad.removeItem(c)
        for c in self.w_curves:
            self.wnorm.removeItem(c)
        self.grad_legend.clear()
        self.w_legend.clear()
        self._n_layers = len(layer_names)
        self.grad_curves = [_curve(self.grad, name=n, pen=theme.pen(i), connect="finite")
                            for i, n in enumerate(layer_names)]
        self.grad_off = [OffScale(self.grad, theme.colour(i)) for i in range(self._n_layers)]
        self._key = "<b>Per layer:</b>&nbsp; " + "&nbsp;&nbsp; ".join(
            f"<span style='color:{theme.colour(i)}'>━━&nbsp;{n.replace(' ', '&nbsp;')}</span>"   # never wrap inside
            for i, n in enumerate(layer_names))
        self._off_scale_shown = False
        self.layer_key.setText(self._key)
        self.w_curves = [_curve(self.wnorm, name=n, pen=theme.pen(i)) for i, n in enumerate(layer_names)]
        self.snap_series = Series(1)
        self.layer_series = Series(2 * self._n_layers)
        self.epoch_series = Series(6)
        self.hist.configure(hist_names, value_ranges)
        self._pending_hist = {}
        self.markers.clear()
        self._x_span = None
        for r in (self.r_loss, self.r_acc, self.r_grad, self.r_w):
            r.reset()
            r.plot.setXRange(0, 1, padding=0.01)
        # No data yet: neutral y ranges, not the previous run's.
        for r, lo_hi in ((self.r_loss, (0, 1)), (self.r_grad, (-3, 0)), (self.r_w, (0, 1))):
            r.plot.setYRange(*lo_hi, padding=0.02)
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
            # As they are: 0 and non-finite norms are drawn at the log axis' edges (_draw_grad).
            self.layer_series.append(ep, ss, np.concatenate([g, w]))
        span = self._x_span
        # A new x span moves every line plot, the accuracy plot too (it may have no point yet).
        self._dirty.update(("loss", "grad", "wnorm") if self._x_target() == span else self.PARTS[:4])

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

    def _x_target(self) -> float | None:
        """The x span of every line plot, from the newest x of any series, growing in nice steps.
        One span for all four: each plot is redrawn in a different frame, and spans chosen per
        plot at different moments came out different (0-300 beside 0-500)."""
        bs = self.by_samples
        x = max([series.x(bs)[-1] for series in (self.snap_series, self.layer_series, self.epoch_series)
                 if series.n] or [0.0])
        if x > 0 and math.isfinite(x) and (self._x_span is None or x > self._x_span or x < self._x_span / 4):
            self._x_span = nice_ceiling(x * 1.15)
        return self._x_span

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
        x_max = self._x_target()
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
        self.r_acc.update(self._x_target(), [])

    def _draw_grad(self):
        ls = self.layer_series
        lx = ls.x(self.by_samples)
        cols = [ls.col(i) for i in range(self._n_layers)]
        self.r_grad.update(self._x_target(), cols)
        y_range = self.grad.getPlotItem().getViewBox().viewRange()[1]
        width = max(int(self.grad.getPlotItem().getViewBox().width()), 100)
        # No gradient exists before the first batch: that 0 is not drawn at all.
        trained = ls.x(True) > 0
        off = 0
        for i, y in enumerate(cols):
            with np.errstate(invalid="ignore"):
                on_scale = np.isfinite(y) & (y > 0)
            set_curve_data(self.grad_curves[i], lx, np.where(on_scale, y, np.nan))
            off += self.grad_off[i].update(lx, y, trained & ~on_scale, y_range, width // 3)
        if bool(off) != self._off_scale_shown:
            self._off_scale_shown = bool(off)
            self.layer_key.setText(self._key + ("&nbsp;&nbsp; <b>▼</b>&nbsp;norm&nbsp;0, <b>▲</b>&nbsp;∞&nbsp;or"
                                                "&nbsp;NaN (gradient norm: off&nbsp;the&nbsp;log&nbsp;scale)"
                                                if off else ""))

    def _draw_wnorm(self):
        ls = self.layer_series
        lx = ls.x(self.by_samples)
        for i in range(self._n_layers):
            set_curve_data(self.w_curves[i], lx, ls.col(self._n_layers + i))
        self.r_w.update(self._x_target(), [ls.col(self._n_layers + i) for i in range(self._n_layers)])

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
        self._x_span = None
        self.markers.set_by_samples(self.by_samples)
        self._dirty = set(self.PARTS)

    def mark_live_change(self, old: dict, new: dict, snap) -> None:
        """A labelled line on the loss and accuracy plots where a live setting changed (not before
        training starts: the setting is then simply the run's own)."""
        if snap is not None and snap.samples_seen > 0:
            self.markers.add(old, new, float(snap.epoch_fraction), float(snap.samples_seen))

    def plot_widgets(self) -> dict:
        return {"loss": self.loss, "accuracy": self.accuracy, "gradients": self.grad, "weights": self.wnorm}

    def epoch_rows(self) -> np.ndarray:
        return self.epoch_series.rows()
