"""Checkpoints of one run's parameters, for replay: the window scrubs back to any of them, and a
new branch run can continue from one.

The store keeps copies at growing intervals in samples seen: a checkpoint is due once the run is
``max(spacing, samples / growth)`` samples past the last one kept, so the early moments (where a
decision boundary forms) are dense and a long run adds few. When the count reaches the store's
capacity, every second kept checkpoint is dropped and the intervals double, so a run of any
length fits. The capacity comes from a byte cap per run: a big network gets fewer checkpoints,
one too big for two copies gets none (``enabled`` False, ``summary()`` says why).

The initial parameters are always kept, and so is the latest moment: a separate slot overwritten
in place (no allocation), refreshed at most every LATEST_PERIOD seconds while training and at
every pause, stop or end, so copying a big net does not tax every chunk.

Threading: ``offer`` runs in the training thread (the session's SnapshotTap), with the trainer's
lock held so the parameters are not torn; readers in the GUI thread take the store's own lock.
"""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

import numpy as np

DEFAULT_CAP_BYTES = 32 * 1024**2
MAX_CHECKPOINTS = 96          # more gives a slider no finer control than a pixel
GROWTH = 8                    # a new checkpoint after 1/GROWTH more samples (then 1/4, 1/2...)
LATEST_PERIOD = 0.5           # seconds between refreshes of the latest slot while training


@dataclass(frozen=True)
class Checkpoint:
    samples_seen: int
    epoch: int
    step: int
    epoch_fraction: float
    params: np.ndarray        # flat, the network's dtype; never written after it is kept

    @property
    def nbytes(self) -> int:
        return int(self.params.nbytes)

    def __repr__(self) -> str:
        return f"Checkpoint(samples={self.samples_seen}, epoch={self.epoch_fraction:.2f})"


class CheckpointStore:
    """One run's checkpoints. ``network``: the trained network (its current parameters are the
    initial checkpoint); ``trainer``: optional, for its counters and lock."""

    def __init__(self, network, trainer=None, cap_bytes: int = DEFAULT_CAP_BYTES,
                 min_spacing: int | None = None, clock=time.monotonic):
        self.cap_bytes = int(cap_bytes)
        self.param_bytes = int(network.params.nbytes)
        self._network = network
        self._trainer = trainer
        self._clock = clock
        self._lock = threading.Lock()
        # One slot is the latest's; the rest are kept checkpoints.
        self.capacity = min(MAX_CHECKPOINTS, self.cap_bytes // max(self.param_bytes, 1) - 1)
        self.enabled = self.capacity >= 1
        n_train = getattr(trainer, "n_train", 0) or 0
        batch = getattr(getattr(trainer, "config", None), "batch_size", 1) or 1
        # A quarter epoch at first (one mini-batch at least): the first epochs are where it happens.
        self.spacing = max(int(min_spacing if min_spacing is not None else n_train // 4), batch, 1)
        self.growth = GROWTH
        self._kept: list[Checkpoint] = []
        self._latest: Checkpoint | None = None
        self._latest_buf: np.ndarray | None = None
        self._latest_at = -1e9
        self.changes = 0          # increases whenever the list changes (readers redraw on it)
        if self.enabled:
            with self._params_held(wait=True):
                self._kept.append(self._copy(self._counters(), None))

    def __repr__(self) -> str:
        return f"CheckpointStore({len(self._kept)} kept, {self.nbytes / 1024**2:.1f} MiB of {self.cap_bytes / 1024**2:.0f})"

    # ------------------------------------------------------------------ writing (training thread)
    def _counters(self, snapshot=None) -> tuple[int, int, int, float]:
        src = snapshot if snapshot is not None else self._trainer
        if src is None:
            return 0, 0, 0, 0.0
        return (int(src.samples_seen), int(src.epoch), int(src.step), float(src.epoch_fraction))

    @contextlib.contextmanager
    def _params_held(self, wait: bool = False):
        """The trainer's lock, so a copy never sees half an update; yields False when another
        thread holds it and ``wait`` is False. Offers come from the snapshot tap, which runs
        under the trainer's publishing lock: waiting there for a stepper that is mid-chunk (and
        about to publish) would deadlock, so the offer is skipped and the next snapshot tries
        again. The lock is re-entrant: inside a chunk the tap already holds it."""
        lock = getattr(self._trainer, "_lock", None)
        if lock is None:
            yield True
            return
        held = lock.acquire(blocking=wait)
        try:
            yield held
        finally:
            if held:
                lock.release()

    def _copy(self, counters, out) -> Checkpoint:
        """The parameters now (the caller holds the trainer's lock)."""
        if out is None:
            params = self._network.params.copy()
        else:
            np.copyto(out, self._network.params)
            params = out
        samples, epoch, step, frac = counters
        return Checkpoint(samples, epoch, step, frac, params)

    def due(self, samples_seen: int) -> bool:
        """True when ``samples_seen`` calls for a new kept checkpoint."""
        if self.capacity < 2 or not self._kept:
            return False        # room for the initial parameters and the latest slot only
        last = self._kept[-1].samples_seen
        return samples_seen - last >= max(self.spacing, last // self.growth)

    def offer(self, snapshot=None) -> bool:
        """A moment of the run (a published Snapshot, or the trainer's counters now): kept when
        due, and the latest slot refreshed when its time has come. True if a checkpoint was kept."""
        if not self.enabled:
            return False
        counters = self._counters(snapshot)
        kept = False
        if self.due(counters[0]):
            with self._params_held() as held:
                if not held:
                    return False
                cp = self._copy(counters, None)
            with self._lock:
                if len(self._kept) >= self.capacity:
                    self._thin()              # first, so the copies never pass the cap
                self._kept.append(cp)
                self._latest = None           # the newest kept checkpoint is the latest now
                self.changes += 1
            kept = True
        else:
            moving = snapshot is None or getattr(snapshot, "state", "training") in ("training", "compiling")
            now = self._clock()
            newer = counters[0] > self._kept[-1].samples_seen
            if newer and (not moving or now - self._latest_at >= LATEST_PERIOD) and self._refresh_latest(counters):
                self._latest_at = now
        return kept

    def _refresh_latest(self, counters) -> bool:
        if self._latest_buf is None:
            self._latest_buf = np.empty_like(self._network.params)
        # Readers copy the slot under the store's lock (see checkpoints()); the order is always
        # the trainer's lock, then the store's.
        with self._params_held() as held:
            if not held:
                return False
            with self._lock:
                self._latest = self._copy(counters, self._latest_buf)
                self.changes += 1
        return True

    def _thin(self) -> None:
        """Drop every second checkpoint after the initial one and double the intervals, so the
        ones left follow the wider rule (a newer one is about to be added)."""
        self._kept = self._kept[:1] + self._kept[2::2]
        self.spacing *= 2
        self.growth = max(1, self.growth // 2)

    # ------------------------------------------------------------------ reading (GUI thread)
    def checkpoints(self) -> list[Checkpoint]:
        """Every moment kept, oldest first; the latest slot (if newer than the last kept) is
        returned as a copy, so it cannot change under the reader."""
        with self._lock:
            out = list(self._kept)
            if self._latest is not None:
                lt = self._latest
                out.append(Checkpoint(lt.samples_seen, lt.epoch, lt.step, lt.epoch_fraction, lt.params.copy()))
        return out

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept) + (self._latest is not None)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(c.nbytes for c in self._kept) + (0 if self._latest_buf is None else int(self._latest_buf.nbytes))

    def summary(self) -> str:
        """What the replay keeps, in words for the window."""
        mib = 1024**2
        if not self.enabled:
            return (f"No replay for this network: one copy of its parameters is {self.param_bytes / mib:,.1f} MB, "
                    f"more than half the {self.cap_bytes / mib:,.0f} MB kept per run.")
        n = len(self)
        return (f"{n} checkpoint{'s' if n != 1 else ''}, {self.nbytes / mib:,.1f} MB "
                f"(at most {self.capacity + 1} and {self.cap_bytes / mib:,.0f} MB per run)")
