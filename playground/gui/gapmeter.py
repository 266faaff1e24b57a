"""Measures GUI responsiveness: a 10 ms timer records the largest gap between its ticks.

If the event loop is blocked (by a long computation in the GUI thread, or by a thread holding the
GIL), ticks arrive late and the gap grows.
"""
from __future__ import annotations

import collections
import time

import numpy as np

from ._qt import QtCore


class GapMeter(QtCore.QObject):
    def __init__(self, parent=None, interval_ms: int = 10):
        super().__init__(parent)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.max_gap_ms = 0.0
        self.ticks = 0
        self.gaps_ms = collections.deque(maxlen=20_000)     # the latest gaps, for percentiles
        self._last: float | None = None

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def reset(self) -> None:
        self.max_gap_ms = 0.0
        self.ticks = 0
        self.gaps_ms.clear()
        self._last = None

    def percentile(self, q: float) -> float | None:
        return float(np.percentile(self.gaps_ms, q)) if self.gaps_ms else None

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            gap = (now - self._last) * 1000.0
            self.gaps_ms.append(gap)
            self.max_gap_ms = max(self.max_gap_ms, gap)
        self._last = now
        self.ticks += 1
