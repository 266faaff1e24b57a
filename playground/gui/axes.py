"""Axis items whose tick labels never run together.

pyqtgraph chooses tick spacing from the axis length alone (about sqrt(length) labels), so on a
narrow plot, or with labels such as 0.005, neighbouring labels touch and read as one number
("0.0050.0100.015"). SpacedAxis chooses the finest 1-2-5 spacing whose real label strings, in
the axis' own font, fit side by side with a gap.
"""
from __future__ import annotations

import math

import numpy as np

from ._qt import QtGui, pg

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_STEPS = (1.0, 2.0, 5.0)


class SpacedAxis(pg.AxisItem):
    """A linear axis whose labels keep at least one wide character of space between them."""

    def __init__(self, orientation, **kw):
        super().__init__(orientation, **kw)
        # Text on the chosen level only: it is the one that fits. A label at an end of the axis
        # (the 0 of a ReLU histogram) may reach a few pixels past it instead of being dropped.
        self.setStyle(maxTextLevel=0, hideOverlappingLabels=12)
        self._spacing_key = None
        self._spacing = []

    def _label_extent(self, strings) -> float:
        """Pixels one label takes along the axis (width for a horizontal axis, height for a vertical)."""
        fm = QtGui.QFontMetricsF(self.style.get("tickFont") or QtGui.QFont())
        if self.orientation in ("left", "right"):
            return fm.height() if strings else 0.0
        return max((fm.horizontalAdvance(s) for s in strings), default=0.0)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph API)
        if self.logMode or self._tickSpacing is not None:
            return super().tickSpacing(minVal, maxVal, size)
        key = (minVal, maxVal, size, self.autoSIPrefixScale, self.scale)
        if key != self._spacing_key:
            self._spacing_key = key
            self._spacing = self._choose(minVal, maxVal, size)
        return self._spacing

    def _choose(self, lo, hi, size):
        span = abs(hi - lo)
        if span == 0 or not math.isfinite(span) or size <= 0:
            return []
        lo, hi = min(lo, hi), max(lo, hi)
        # One and a half wide characters between labels: they read as separate numbers at a glance.
        gap = 1.5 * QtGui.QFontMetricsF(self.style.get("tickFont") or QtGui.QFont()).horizontalAdvance("M")
        exp = math.floor(math.log10(span / 12))
        candidates = [m * 10.0 ** e for e in range(exp, exp + 4) for m in _STEPS]
        for spacing in candidates:
            values = np.arange(math.ceil(lo / spacing), math.floor(hi / spacing) + 1) * spacing
            if len(values) > 24:
                continue
            strings = self.tickStrings(list(values), self.autoSIPrefixScale * self.scale, spacing)
            if spacing / span * size >= self._label_extent(strings) + gap:
                break
        levels = [(spacing, 0.0)]
        if self.style["maxTickLevel"] >= 1:
            levels.append((spacing / (2.0 if spacing / 10 ** math.floor(math.log10(spacing)) == 5 else 5.0), 0.0))
        return levels


class DecadeLogAxis(SpacedAxis):
    """A log axis that labels only powers of ten (minor ticks stay as grid lines without text),
    so labels never crowd when the range covers a decade or two."""

    def __init__(self, orientation, **kw):
        super().__init__(orientation, **kw)
        self.setStyle(maxTextLevel=2)

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
                out.append(f"{10.0 ** v:.3g}" if few_decades and any(abs(mant - m) < 1e-3 for m in (2, 5))
                           else "")
            elif -3 <= k <= 3:
                out.append(f"{10.0 ** k:g}")
            else:
                out.append("10" + str(int(k)).translate(_SUPERSCRIPT))
        return out


def label_rects(axis: pg.AxisItem):
    """(text, rect in the axis' coordinates) of every label the axis draws now: what a reader sees."""
    picture = QtGui.QPicture()
    p = QtGui.QPainter(picture)
    try:
        specs = axis.generateDrawSpecs(p)
    finally:
        p.end()
    if not specs:
        return []
    return [(text, rect) for rect, _flags, text in specs[2] if text]
