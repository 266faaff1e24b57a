"""Each twin's curves, pulled from its trainer by the frame timer.

The trainer keeps only its newest snapshot (and the epoch records): a twin's running loss and
per-layer gradient norms are sampled here, at the frame rate, into growable series, the same way
the Train page samples the run on show. Nothing here draws.
"""
from __future__ import annotations

import collections
import math

import numpy as np

from ..series import Series

RECENT_MAX = 4096        # snapshots kept between two frames at most (a few hundred in practice)


def accuracy_of(rec) -> tuple[str, float | None]:
    """The accuracy an epoch record is judged by: test, else validation, else training."""
    for name, v in (("test", rec.test_accuracy), ("validation", rec.validation_accuracy),
                    ("training", rec.training_accuracy)):
        if v is not None:
            return name, float(v)
    return "training", None


class TwinTrace:
    """One twin's series: per snapshot (x, loss, gradient norm per layer) and per epoch (x, loss,
    accuracy in %). x is the epoch (fraction) and samples seen, as on the Train page."""

    def __init__(self, n_layers: int):
        self.n_layers = n_layers
        self.snaps = Series(1 + n_layers)
        self.epochs = Series(2)
        self.accuracy_split = "test"
        self.histograms = None          # (seq, list[LayerHistogram]) newest probe
        self._seq = -1
        self._n_history = 0
        self._hist_seq = -1

    @staticmethod
    def follow(tap):
        """Have ``tap`` (the session's SnapshotTap) keep every snapshot from now on, for pull."""
        if tap.recent is None:
            tap.recent = collections.deque(maxlen=RECENT_MAX)
        return tap.recent

    def pull(self, trainer, tap=None) -> set[str]:
        """Take what is new; the parts that changed ("snaps", "epochs", "hist")."""
        changed = set()
        recent = None if tap is None else tap.recent
        if recent is None and tap is not None:
            recent = self.follow(tap)
        snaps = []
        while recent:
            snaps.append(recent.popleft())
        latest = trainer.latest
        if latest is not None and (not snaps or snaps[-1].seq < latest.seq):
            snaps.append(latest)
        for snap in snaps:
            if snap.seq <= self._seq:
                continue
            self._seq = snap.seq
            g = np.asarray(snap.grad_w_norm, dtype=float)[: self.n_layers]
            if snap.step > 0 and len(g) == self.n_layers and math.isfinite(snap.train_loss):
                self.snaps.append(float(snap.epoch_fraction), float(snap.samples_seen), [snap.train_loss, *g])
                changed.add("snaps")
        history = trainer.history
        if len(history) > self._n_history:
            n_train = trainer.n_train
            new = history[self._n_history:]      # the trainer may append meanwhile: count what was read
            for rec in new:
                self.accuracy_split, acc = accuracy_of(rec)
                loss = {"test": rec.test_loss, "validation": rec.validation_loss}.get(self.accuracy_split,
                                                                                      rec.training_loss)
                self.epochs.append(float(rec.epoch), float(rec.epoch * n_train), [
                    np.nan if loss is None else float(loss), np.nan if acc is None else 100.0 * acc])
            self._n_history += len(new)
            changed.add("epochs")
        hist = None if tap is None else tap.histograms
        if hist is not None and hist[0] != self._hist_seq:
            self._hist_seq = hist[0]
            self.histograms = hist
            changed.add("hist")
        return changed

    @property
    def loss(self):
        return self.snaps.col(0)

    def grad(self, layer: int):
        return self.snaps.col(1 + layer)

    @property
    def last_accuracy(self) -> float | None:
        """The newest epoch's accuracy in %, None before the first epoch ends."""
        if not self.epochs.n:
            return None
        v = float(self.epochs.col(1)[-1])
        return v if math.isfinite(v) else None
