"""Epoch records kept as rows of one numpy array, not as Python objects.

A trainer makes one EpochRecord an epoch (about 310 bytes with its boxed floats): a toy at
full speed makes 75 a second, all kept for the run's life. Python's small-object allocator
hands memory back only in whole arenas, so records that outlive their neighbours keep those
arenas resident: three runs of 40,000 epochs left 16.7 MB resident with a thousand survivors
each kept, 4.4 MB with copies in rows. A row takes 73 bytes and holds on to nothing.

Rows read like the list they replace (index, slice, iterate, equality with a list of records,
``append``), and ``column`` gives one field for plotting. One thread may append while others
read: a reader takes the length before the array, and an append writes its row before it
counts it, so a reader sees only whole rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import numpy as np

from .snapshot import EpochRecord

_ALWAYS = ("epoch", "eta", "seconds")
_OPTIONAL = tuple(f.name for f in fields(EpochRecord) if f.name not in _ALWAYS)     # None if a split is empty
_ROW = np.dtype([("epoch", "<i8"), *((name, "<f8") for name in _OPTIONAL),
                 ("eta", "<f8"), ("seconds", "<f8"), ("present", "<u1")])
_FIRST_CAPACITY = 64


def _row(record) -> tuple:
    present = 0
    optional = []
    for bit, name in enumerate(_OPTIONAL):
        v = getattr(record, name)
        optional.append(np.nan if v is None else v)
        present |= (v is not None) << bit
    return (record.epoch, *optional, record.eta, record.seconds, present)


class EpochRows(Sequence):
    """Epoch records, oldest first (see the module's docstring)."""

    __slots__ = ("_rows", "_n")

    def __init__(self, records=()):
        if isinstance(records, EpochRows):
            rows = records._view().copy()
        else:
            rows = np.array([_row(r) for r in records], _ROW)
        self._rows, self._n = rows, len(rows)

    @classmethod
    def _of_rows(cls, rows: np.ndarray) -> "EpochRows":
        out = cls.__new__(cls)
        out._rows, out._n = rows, len(rows)
        return out

    def _view(self) -> np.ndarray:
        n = self._n                     # before the array: an append may replace it meanwhile
        return self._rows[:n]

    def append(self, record) -> None:
        n, rows = self._n, self._rows
        if n == len(rows):
            # A quarter more each time: at most a quarter unused, and an hour's toy run at full
            # speed (270,000 rows, 20 MB) copies its rows 37 times, the last ones taking 5-20 ms.
            grown = np.zeros(max(_FIRST_CAPACITY, n + n // 4), _ROW)
            grown[:n] = rows[:n]
            self._rows = rows = grown
        rows[n] = _row(record)
        self._n = n + 1

    def __len__(self) -> int:
        return self._n

    def _record(self, row) -> EpochRecord:
        present = int(row["present"])
        optional = {name: (float(row[name]) if present >> bit & 1 else None)
                    for bit, name in enumerate(_OPTIONAL)}
        return EpochRecord(epoch=int(row["epoch"]), eta=float(row["eta"]), seconds=float(row["seconds"]),
                           **optional)

    def __getitem__(self, index):
        rows = self._view()
        if isinstance(index, slice):
            return [self._record(row) for row in rows[index]]
        return self._record(rows[index])

    def __iter__(self):
        return (self._record(row) for row in self._view())

    def __reversed__(self):
        return (self._record(row) for row in self._view()[::-1])

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of one field, the epochs where it is None left out."""
        rows = self._view()
        if name in _OPTIONAL:
            rows = rows[(rows["present"] >> _OPTIONAL.index(name)) & 1 == 1]
        return rows["epoch"].astype(float), rows[name].astype(float)

    def newest(self, name: str) -> float | None:
        """The newest value of an optional field that is not None (None if there is none),
        looked for from the end a block at a time: it is nearly always in the last row."""
        rows = self._view()
        bit = _OPTIONAL.index(name)
        end = len(rows)
        while end > 0:
            start = max(0, end - 256)
            hits = np.flatnonzero((rows["present"][start:end] >> bit) & 1)
            if len(hits):
                return float(rows[name][start + hits[-1]])
            end = start
        return None

    def last_epoch(self) -> int | None:
        rows = self._view()
        return int(rows["epoch"][-1]) if len(rows) else None

    def thinned(self, keep: int) -> "EpochRows":
        """At most ``keep`` evenly spread rows, the last one always among them (a copy)."""
        rows = self._view()
        n = len(rows)
        if n <= keep:
            return EpochRows._of_rows(rows.copy())
        step = -(-n // keep)
        index = np.arange(0, n, step)
        if index[-1] != n - 1:
            index = np.append(index[:keep - 1], n - 1)
        return EpochRows._of_rows(rows[index])

    def __eq__(self, other) -> bool:
        if isinstance(other, (EpochRows, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"EpochRows({len(self)} epochs)"
