"""A run history's epoch records kept as rows of one numpy array, not as Python objects.

The run history kept up to 1,000 of each run's EpochRecord objects (about 310 bytes each with
their boxed floats), picked evenly from all the trainer made. Those survivors were the
trainer's own objects, spread through the memory of every record it had made, and Python's
small-object allocator hands memory back only in whole arenas: three runs of 40,000 epochs
left 16.7 MB resident with the survivors kept, 4.4 MB with copies in rows. A row takes 73
bytes and holds on to nothing. Rows read like the list they replace (index, iterate, equality
with a list of records), and ``column`` gives one field for plotting.
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


class EpochRows(Sequence):
    """Epoch records, oldest first (see the module's docstring)."""

    __slots__ = ("_rows",)

    def __init__(self, records=()):
        records = list(records)
        rows = np.zeros(len(records), _ROW)
        # A column at a time: the run list rebuilds a live run's rows every second.
        for name in _ALWAYS:
            rows[name] = [getattr(r, name) for r in records]
        for bit, name in enumerate(_OPTIONAL):
            values = [getattr(r, name) for r in records]
            rows[name] = [np.nan if v is None else v for v in values]
            rows["present"] |= np.array([v is not None for v in values], np.uint8) << bit
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def _record(self, row) -> EpochRecord:
        present = int(row["present"])
        optional = {name: (float(row[name]) if present >> bit & 1 else None)
                    for bit, name in enumerate(_OPTIONAL)}
        return EpochRecord(epoch=int(row["epoch"]), eta=float(row["eta"]), seconds=float(row["seconds"]),
                           **optional)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._record(row) for row in self._rows[index]]
        return self._record(self._rows[index])

    def __iter__(self):
        return (self._record(row) for row in self._rows)

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of one field, the epochs where it is None left out."""
        rows = self._rows
        if name in _OPTIONAL:
            rows = rows[(rows["present"] >> _OPTIONAL.index(name)) & 1 == 1]
        return rows["epoch"].astype(float), rows[name].astype(float)

    def __eq__(self, other) -> bool:
        if isinstance(other, (EpochRows, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"EpochRows({len(self)} epochs)"
