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
