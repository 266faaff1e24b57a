"""How the training threads share the machine with the GUI thread and with each other.

The GIL: the trainer's outer loop is Python and holds the GIL between kernels (the kernels
themselves release it). On toy datasets an epoch takes a millisecond or two, so the loop's
per-epoch Python (evaluation, snapshot, probes) runs hundreds of times a second and would take the
GIL from the GUI thread, whose painting is Python too (pyqtgraph). So each worker counts the time
it spends outside the training kernel and, after HOLD_MAX of it, sleeps YIELD_FOR, so the GUI
thread can have the GIL at least two thirds of the time the loops are in Python. The budget is
one for all runs: their Python time adds up, and when it is spent every worker keeps quiet until
the same moment, so two runs leave the GUI the same share as one (a pause one worker took while
the other filled it would be no pause). A big dataset (MNIST) spends nearly all its time in the
kernel, so it seldom sleeps. (Measured: with this, the GIL is no longer what limits frame gaps;
painting and CPU load from other processes are.)

BLAS: large layers call OpenBLAS, whose threads collapse when the cores are busy (see
core.kernels.set_blas_threads); while more than one run trains, each gets one BLAS thread.
"""
from __future__ import annotations

import threading
import collections
import time
import weakref

HOLD_MAX = 0.002
YIELD_FOR = 0.004


class GilBudget:
    """HOLD_MAX of Python time shared by every training thread, then YIELD_FOR of quiet for all."""

    def __init__(self, clock=time.perf_counter):
        self._clock = clock
        self._lock = threading.Lock()
        self._spent = 0.0
        self._quiet_until = 0.0

    def charge(self, seconds: float) -> float:
        """Add a worker's Python time; the seconds it should now sleep (0: carry on)."""
        with self._lock:
            now = self._clock()
            if now < self._quiet_until:
                return self._quiet_until - now
            self._spent += seconds
            if self._spent < HOLD_MAX:
                return 0.0
            self._spent = 0.0
            self._quiet_until = now + YIELD_FOR
            return YIELD_FOR


BUDGET = GilBudget()


class SnapshotTap:
    """The trainer's on_snapshot callback (runs in the worker thread, no signals).

    It keeps the newest per-layer histograms (they ride on only some snapshots, which a 30 Hz
    reader would mostly miss), offers each moment to the run's checkpoints (replay), and yields
    the GIL when the shared budget says so (see above)."""

    def __init__(self, trainer=None, budget: GilBudget = BUDGET):
        self._trainer = trainer
        self._budget = budget
        self._since = time.perf_counter()
        self._kernel = self._kernel_seconds()
        self.histograms = None        # (seq, list[LayerHistogram]) of the newest probe
        self.checkpoints = None       # the run's CheckpointStore (core.checkpoints), offered each snapshot
        # Every snapshot, for a reader that drains it (the Compare page): a fast run publishes
        # several between two frames, and the newest alone left its curves with a point an epoch.
        # None: nobody reads them, so none are kept.
        self.recent: collections.deque | None = None

    def _kernel_seconds(self) -> float:
        return float(getattr(self._trainer, "kernel_seconds", 0.0))

    def __call__(self, snapshot=None) -> None:
        if snapshot is not None and snapshot.histograms is not None:
            self.histograms = (snapshot.seq, snapshot.histograms)   # one assignment: atomic
        recent = self.recent
        if snapshot is not None and recent is not None:
            recent.append(snapshot)            # deque.append is atomic; its maxlen bounds it
        if snapshot is not None and self.checkpoints is not None:
            self.checkpoints.offer(snapshot)
        now = time.perf_counter()
        kernel = self._kernel_seconds()
        pause = self._budget.charge((now - self._since) - (kernel - self._kernel))
        if pause > 0:
            time.sleep(pause)
            now = time.perf_counter()
        self._since, self._kernel = now, kernel


class BlasShare:
    """One BLAS thread per run while more than one run trains; the usual count otherwise.
    Called in the GUI thread when a run starts or ends."""

    def __init__(self):
        self._busy = weakref.WeakSet()
        self._usual: int | None = None

    @property
    def limited(self) -> bool:
        return len(self._busy) > 1

    def note(self, run, busy: bool) -> None:
        before = self.limited
        (self._busy.add if busy else self._busy.discard)(run)
        if self.limited == before:
            return
        from playground.core import kernels
        if self.limited:
            self._usual = kernels.get_blas_threads()
            kernels.set_blas_threads(1)
        elif self._usual:
            kernels.set_blas_threads(self._usual)


BLAS = BlasShare()
