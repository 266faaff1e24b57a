"""Sticky axis ranges for live plots.

Autoranging every frame changes the axes a little every frame, and re-laying out tick labels is
the most expensive part of repainting a pyqtgraph plot. Here a range only changes when the data
leave it (or shrink to a small part of it), and x grows in "nice" steps, so axes repaint rarely.
"""
from __future__ import annotations

import math

import numpy as np


def nice_ceiling(v: float) -> float:
    if v <= 0 or not math.isfinite(v):
        return 1.0
    exp = math.floor(math.log10(v))
    for m in (1, 1.5, 2, 3, 5, 7.5, 10):
        if m * 10**exp >= v:
            return m * 10**exp
    return 10 ** (exp + 1)


class StickyRange:
    def __init__(self, plot_item, log_y: bool = False, fixed_y: tuple[float, float] | None = None):
        self.plot = plot_item
        self.log_y = log_y
        self.fixed_y = fixed_y
        self.x_max = None
        self.y = None
        plot_item.disableAutoRange()
        if fixed_y is not None:
            # Room above and below, or pyqtgraph drops the end labels (0 and 100 %).
            plot_item.setYRange(*fixed_y, padding=0.1)

    def reset(self) -> None:
        self.x_max = None
        self.y = None

    def update(self, x_max: float, ys: list[np.ndarray]) -> None:
        # x_max: the end of the x span, already a nice number shared by the plots (see PlotsPanel).
        if x_max is not None and math.isfinite(x_max) and x_max > 0 and x_max != self.x_max:
            self.x_max = x_max
            self.plot.setXRange(0, self.x_max, padding=0.03)    # the end label stays drawn
        if self.fixed_y is not None:
            return
        vals = [np.asarray(y, float) for y in ys if len(y)]
        if not vals:
            return
        v = np.concatenate(vals)
        v = v[np.isfinite(v)]
        if self.log_y:
            v = v[v > 0]
            if not len(v):
                return
            v = np.log10(v)
        if not len(v):
            return
        lo, hi = float(v.min()), float(v.max())
        # A single point (one Step batch) or a flat curve: a span of 5 % of the value, not 0.1 %,
        # which read as five-decimal labels (0.69845, 0.69850) around an invisible change.
        span = max(hi - lo, 1e-9 if self.log_y else max(max(abs(hi), abs(lo)) * 0.05, 1e-9))
        if self.y is not None:
            clo, chi = self.y
            inside = lo >= clo and hi <= chi
            too_loose = (chi - clo) > 4 * span
            if inside and not too_loose:
                return
        # Log axes: at least ~two decades visible, so only decade ticks get labels.
        pad = 0.12 * span if not self.log_y else max(0.15 * span, (2.0 - span) / 2, 0.1)
        grow = 0.35 * span if not self.log_y else 0.5     # growing data: leave headroom for a while
        if self.y is not None and hi > self.y[1]:
            new_hi = hi + grow
        else:
            new_hi = hi + pad
        if self.y is not None and lo < self.y[0]:
            new_lo = lo - grow
        else:
            new_lo = lo - pad
        new = (new_lo, new_hi)
        if not self.log_y and lo >= 0 and new[0] < 0:
            new = (0.0, new[1])
        self.y = new
        self.plot.setYRange(*new, padding=0)
