"""When Python's cycle collector runs in the app: only in the GUI thread, and never a long pass
in the middle of a run.

Left automatic, a collection can start in the training thread and destroy a Qt object of a closed
window there; its destructor then waits for the GIL while holding a Qt lock that the GUI thread,
holding the GIL, waits for. That deadlock froze the window. So automatic collection is off and a
GUI-thread timer collects instead.

A full (generation 2) pass walks every live container object: with Qt, pyqtgraph and numba loaded
that took 30-60 ms, a visible stutter in the middle of a run. So the long-lived objects (imports,
the window, compiled kernels) are frozen out of the collector's sight at quiet moments (``settle``:
the window was just built, a new network replaced the old one) and, while training runs, full
passes wait unless the run goes on for minutes.
"""
from __future__ import annotations

import gc
import time
import weakref

from ._qt import QtCore
from .heap import return_free_memory

CHECK_MS = 100
SETTLE_DELAY_MS = 250         # after runs close: their threads have ended and their widgets gone
SETTLE_RETRY_MS = (1000, 4000)  # a closed run still alive then: a view let go of it late
FULL_PASS_EVERY_S = 300.0     # during a long run, bound what a full pass may have to find


class GuiGarbageCollector(QtCore.QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._runs = weakref.WeakSet()    # objects with a ``run_active`` flag (run sessions)
        self.threshold = gc.get_threshold()
        self.passes = [0, 0, 0]           # collections run, by generation (tests read it)
        self._last_full = time.monotonic()
        gc.disable()
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self._settle_timer = QtCore.QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SETTLE_DELAY_MS)
        self._settle_timer.timeout.connect(self.settle)
        self._closed: list[weakref.ref] = []     # what closed runs left, to see it go
        self._retries = 0

    def watch(self, obj) -> None:
        """Hold full passes back while ``obj.run_active`` is true."""
        self._runs.add(obj)

    def busy(self) -> bool:
        return any(getattr(o, "run_active", False) for o in list(self._runs))

    def check(self) -> None:
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 <= t0:
            return
        gen = 0
        if c1 > t1:
            gen = 1
            overdue = time.monotonic() - self._last_full > FULL_PASS_EVERY_S
            if c2 > t2 and (not self.busy() or overdue):
                gen = 2
        self.collect(gen)

    def collect(self, generation: int) -> int:
        found = gc.collect(generation)
        self.passes[generation] += 1
        if generation == 2:
            self._last_full = time.monotonic()
        return found

    def settle(self) -> None:
        """A quiet moment (nothing is animating yet): collect everything once, then freeze what
        survives, so later passes only walk what was made after it."""
        self._settle_timer.stop()
        gc.unfreeze()
        self.collect(2)
        gc.freeze()
        return_free_memory()
        self._closed = [r for r in self._closed if r() is not None]
        if self._closed and self._retries < len(SETTLE_RETRY_MS):
            # Still referenced, so frozen again: garbage once a view lets go (the replay bar, a
            # polling view) but out of the collector's sight until the next settle.
            self._settle_timer.start(SETTLE_RETRY_MS[self._retries])
            self._retries += 1

    def settle_soon(self, *closed) -> None:
        """Settle shortly, once for any number of calls. For runs that closed: what a freeze kept
        out of sight is never collected until the next settle, so a closed lesson's dataset and
        network (cycles through their trainer and views) would stay in memory until then.
        ``closed`` (weakly referenced): what should be gone then; settles again later if not."""
        self._closed += [weakref.ref(obj) for obj in closed if obj is not None]
        self._retries = 0
        self._settle_timer.start(SETTLE_DELAY_MS)


_instance: GuiGarbageCollector | None = None


def install() -> GuiGarbageCollector:
    """The app's one collector (created in the GUI thread on first use)."""
    global _instance
    if _instance is None:
        _instance = GuiGarbageCollector()
    gc.disable()          # again: something (a test, a library) may have turned it back on
    return _instance
