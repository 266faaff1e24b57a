"""A growable pair of numpy columns for plot data: append is amortised O(1), views are free."""
from __future__ import annotations

import numpy as np


class Series:
    def __init__(self, n_cols: int = 1, capacity: int = 1024):
        self._data = np.empty((capacity, n_cols + 2), dtype=np.float64)   # epoch, samples, values...
        self.n = 0

    def append(self, epoch: float, samples: float, values) -> None:
        if self.n == len(self._data):
            grown = np.empty((2 * len(self._data), self._data.shape[1]), dtype=np.float64)
            grown[: self.n] = self._data
            self._data = grown
        row = self._data[self.n]
        row[0] = epoch
        row[1] = samples
        row[2:] = values
        self.n += 1

    def x(self, by_samples: bool) -> np.ndarray:
        return self._data[: self.n, 1 if by_samples else 0]

    def col(self, j: int) -> np.ndarray:
        return self._data[: self.n, 2 + j]

    def rows(self) -> np.ndarray:
        return self._data[: self.n]

    def clear(self) -> None:
        self.n = 0


def peak_decimate(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``max_points`` points that keep every spike: each bucket of neighbours
    becomes its minimum and maximum. NaN (a gap in the curve) is skipped inside a bucket and kept
    only where a whole bucket is NaN, so gaps stay gaps."""
    n = len(x)
    if n <= max_points or max_points < 4:
        return x, y
    k = -(-n // (max_points // 2))           # bucket size, rounded up
    nb = n // k
    body_y = y[: nb * k].reshape(nb, k)
    lo = np.fmin.reduce(body_y, axis=1)
    hi = np.fmax.reduce(body_y, axis=1)
    bx = x[: nb * k : k]
    if nb * k < n:                           # the last, partial bucket: the newest points
        tail = y[nb * k:]
        lo = np.append(lo, np.fmin.reduce(tail))
        hi = np.append(hi, np.fmax.reduce(tail))
        bx = np.append(bx, x[nb * k])
    out_x = np.repeat(bx, 2)
    out_y = np.empty(2 * len(lo))
    out_y[0::2] = lo
    out_y[1::2] = hi
    out_x[-1] = x[-1]                        # the curve still ends at the newest point
    return out_x, out_y
