"""Per-layer activation histograms as small multiples, readable at any width.

A ReLU layer's histogram is one spike at 0 (often more than half of all values) and a flat line:
drawn to one scale, the shape of the positive values is invisible. So the share exactly at 0 is
drawn as its own dark bar, cut at the top of the plot and labelled ("62 % at 0"), and the y axis
is scaled to the other values. The top of every plot is kept free of bars for that label and for
the dead / saturated note, whose wording shortens to fit the plot's width.
"""
from __future__ import annotations

import numpy as np

from ._qt import QtCore, QtGui, pg
from .textfit import fit_text
from . import theme
from .axes import SpacedAxis
from .ranges import nice_ceiling

HEADROOM = 0.65         # bars fill at most this share of the plot's height; notes live above
SPIKE_SHOWN = 0.02      # a share at 0 smaller than this is drawn as an ordinary part of its bin


def hist_titles(names: list[str]) -> list[str]:
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


def note_variants(h) -> list[str]:
    """Dead / saturated wordings, longest first."""
    dead, sat = float(h.dead_fraction), float(h.saturated_fraction)
    long_, short = [], []
    if dead > 0.005:
        long_.append(f"{dead:.0%} units dead")
        short.append(f"{dead:.0%} dead")
    if sat > 0.005:
        long_.append(f"{sat:.0%} saturated")
        short.append(f"{sat:.0%} sat.")
    if not short:
        return [""]
    return [", ".join(long_), ", ".join(short), " ".join(s.split(" ")[0] for s in short)]


def split_spike(counts, edges, zero_fraction: float):
    """(share at 0 in %, the other values' shares per bin in %): the zeros leave the bin holding 0."""
    counts = np.asarray(counts, dtype=float)
    edges = np.asarray(edges, dtype=float)
    total = counts.sum()
    if total <= 0:
        return 0.0, counts
    rest = counts.copy()
    spike = 0.0
    if zero_fraction >= SPIKE_SHOWN:
        j = int(np.clip(np.searchsorted(edges, 0.0, side="right") - 1, 0, len(counts) - 1))
        zeros = min(zero_fraction * total, rest[j])
        rest[j] -= zeros
        spike = float(zeros / total * 100.0)
    return spike, rest / total * 100.0


def _small_font(smaller=1) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPointSize(theme.TICK_PT - smaller)
    return f


class _Layer:
    """One layer's plot: the bars, the spike at 0 and the two notes, made once."""

    def __init__(self, plot: pg.PlotItem, i: int, bounds, colour=None):
        self.plot = plot
        self.bounds = bounds
        colour = colour or theme.colour(i)
        # Bars are axis-aligned: antialiasing would change almost nothing and cost ~3x the paint.
        self.bars = plot.plot(np.array([]), np.array([]), stepMode="center", fillLevel=0,
                              brush=pg.mkBrush(theme.mix_white(colour, 0.6)), pen=pg.mkPen(colour, width=1.5),
                              antialias=False)
        self.spike = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.0, brush=pg.mkBrush(colour),
                                     pen=pg.mkPen(colour))
        self.spike.setVisible(False)
        plot.addItem(self.spike)
        self.spike_label = self._text(colour, anchor=(0, 0))
        self.note = self._text("#8a1010", anchor=(0.5, 0))
        self.x = None
        self.y = None
        self.spike_text = ""
        self.note_text = ""
        self.show_empty()

    def _text(self, colour, anchor) -> pg.TextItem:
        t = pg.TextItem("", color=colour, anchor=anchor)
        t.setParentItem(self.plot.getViewBox())   # view-box pixels: placed by hand, never moves with data
        t.setFont(_small_font(smaller=2))
        t.textItem.document().setDocumentMargin(0)    # one line of text is one line high
        return t

    def show_empty(self) -> None:
        """Before any data: the activation's own range (0..1 where it has none), 0-100 %."""
        lo, hi = self.bounds
        lo = 0.0 if lo is None else lo
        hi = max(lo + 1.0, 1.0) if hi is None else hi
        self._set_x(np.array([lo, hi]))
        self._set_y(np.array([100.0 * HEADROOM]), 1.0 - HEADROOM)

    def _set_x(self, edges) -> None:
        """Sticky ranges (axes re-layout only when needed, see ranges.py); bounds of the activation
        replace the data's own where there are any."""
        lo, hi = float(edges[0]), float(edges[-1])
        if self.bounds[0] is not None:
            lo = float(self.bounds[0])
        if self.bounds[1] is not None:
            hi = float(self.bounds[1])
        span = max(hi - lo, 1e-6)
        if self.x is None or lo < self.x[0] or hi > self.x[1] or (self.x[1] - self.x[0]) > 3 * span:
            self.x = (lo - 0.05 * span, hi + 0.05 * span)
            self.plot.setXRange(*self.x, padding=0)

    def _set_y(self, frac, band: float) -> None:
        """The bars stay under the top ``band`` (a share of the height) where the notes are."""
        top = float(np.max(frac)) / (1.0 - band) if len(frac) else 1.0
        if self.y is None or top > self.y or top < self.y / 3:
            self.y = nice_ceiling(top * 1.1)     # headroom: a growing bar does not move the axis at once
            self.plot.setYRange(0, self.y, padding=0)

    def update(self, h) -> None:
        edges = np.asarray(h.a_edges, dtype=float)
        spike, rest = split_spike(h.a_counts, edges, float(getattr(h, "zero_fraction", 0.0)))
        self.bars.setData(edges, rest)
        self._set_x(edges)
        vb = self.plot.getViewBox()
        vb.prepareForPaint()       # the new range now, not lazily in the paint (see plots.apply_view_now)
        width, font = vb.width(), _small_font(smaller=2)
        left, text = 4.0, ""
        if spike > 0:
            left = vb.mapFromView(QtCore.QPointF(0.0, 0.0)).x() + 3
            text = fit_text([f"{spike:.0f} % at 0", f"{spike:.0f}% at 0", f"{spike:.0f}%"], font, width - left - 2)
        note = fit_text(note_variants(h), font, width - 4)
        line = QtGui.QFontMetricsF(font).height()
        lines = bool(text) + bool(note)
        # The notes' band, and never less than the usual headroom: bars and text never meet.
        band = min(0.6, max(1.0 - HEADROOM, (lines * line + 3) / max(vb.height(), 1.0)))
        self._set_y(rest, band)
        vb.prepareForPaint()
        if spike > 0:
            # Just left of the bins, which start at 0, cut at the top of the plot: its label is its
            # height. At least 3 % of the axis wide, so it reads as a bar where 40 bins are hairlines.
            bar_w = max(float(edges[1] - edges[0]) if len(edges) > 1 else 0.0, 0.03 * (self.x[1] - self.x[0]))
            self.spike.setOpts(x=[-0.6 * bar_w], height=[self.y], width=bar_w)
        self.spike.setVisible(bool(spike > 0))
        if text != self.spike_text:
            self.spike_text = text
            self.spike_label.setText(text)
        self.spike_label.setPos(left, 1)
        if note != self.note_text:
            self.note_text = note
            self.note.setText(note)
        # Under the spike label where there is one, so the two never share a line.
        self.note.setPos(width / 2, 1 + (line if text else 0))


class _ShareAxis(pg.AxisItem):
    """The y axis of a histogram: shares in %, unlabelled above 100 (the room kept for the notes)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        strings = super().tickStrings(values, scale, spacing)
        return [s if v * scale <= 100.0 + 1e-9 else "" for v, s in zip(values, strings)]


class HistogramStrip(pg.GraphicsLayoutWidget):
    """One small plot per layer: the distribution of that layer's activations on the probe batch."""

    def __init__(self, parent=None):
        super().__init__(parent)
        # 130 px: the line plots above get the height their axes need at 1280 x 800.
        self.setMinimumHeight(130)
        self.layers: list[_Layer] = []
        self._names: list[str] = []

    @property
    def _plots(self):
        return [layer.plot for layer in self.layers]

    @property
    def _curves(self):
        return [layer.bars for layer in self.layers]

    def configure(self, layer_names: list[str], value_ranges=None, colour=None) -> None:
        """One plot per layer; ``value_ranges`` (per layer, None where unbounded) fix the x axis
        of bounded activations (tanh: -1..1), so it never has to be redrawn. ``colour``: one for
        every layer (a twin's), instead of one per layer."""
        value_ranges = list(value_ranges or [])
        value_ranges += [(None, None)] * (len(layer_names) - len(value_ranges))
        self.clear()
        self.layers = []
        self._names = list(layer_names)
        font = _small_font()
        for i, (name, title) in enumerate(zip(layer_names, hist_titles(layer_names))):
            p = self.addPlot(row=0, col=i, axisItems={"bottom": SpacedAxis("bottom"), "left": _ShareAxis("left")})
            p.setTitle(title, size=f"{theme.TICK_PT}pt")
            p.setToolTip(name)
            p.getAxis("bottom").setTickFont(font)
            p.getAxis("left").setTickFont(font)
            p.getAxis("left").setWidth(30)         # "100" and no more: the room goes to the bars
            p.hideButtons()
            p.setMouseEnabled(False, False)
            theme.cache_static_parts(p)
            self.layers.append(_Layer(p, i, value_ranges[i], colour))

    def update_layer(self, h) -> None:
        """Draw one layer's histogram (a LayerHistogram); other layers stay as they are."""
        i = int(h.layer)
        if 0 <= i < len(self.layers):
            self.layers[i].update(h)
