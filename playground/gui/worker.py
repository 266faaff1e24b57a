"""Runs Trainer.run in a QThread.

The worker emits only on state changes (compiling, training, finished, diverged, error); it never
emits per mini-batch. The GUI reads ``trainer.latest`` from a timer instead, so a fast trainer
cannot flood the event loop.

Thread rules: ``run``, ``step_batches``, ``step_epoch`` and ``prewarm`` execute in the worker
thread; the GUI thread asks for them with ``request_run``/``request_step``/... which say the new
state at once (``sigStateChanged``, delivered directly) and queue the work. ``pause``/``resume``
are thread-safe on the Trainer and also say the new state, so a run's phase has one source: these
signals (see session.RunSession).
"""
from __future__ import annotations

import logging
import threading
import gc
import traceback

import numpy as np

from playground.core import interim, precompile

from ._qt import QtCore

log = logging.getLogger(__name__)

# numba compiles once per process and dtype (and caches to disk for the next process).
_WARM_DTYPES: set[str] = set()
_WARM_LOCK = threading.Lock()     # the runner's warm-up at start-up and a Step's may overlap


def is_warm(network) -> bool:
    return str(network.dtype) in _WARM_DTYPES


def warm_up(trainer_factory, network, dataset, config, cancel: threading.Event | None = None) -> bool:
    """Compile the kernels on a small throwaway network so the user's network and its history stay
    untouched. A cold compile runs in child processes (precompile); while they work, networks of
    this dtype train on the numpy twin (core/interim.py) and a thread loads the kernels once the
    children are done. ``cancel`` ends a compile at once; False if cancelled."""
    with _WARM_LOCK:
        if is_warm(network):
            return True
        dtype = str(network.dtype)
        precompile.start(dtype)         # nothing if the cache is warm or the children already run
        if precompile.compiling(dtype):
            interim.begin(dtype)
            _WARM_DTYPES.add(dtype)
            threading.Thread(target=_load_when_compiled, name="nn-kernel-loader", daemon=True,
                             args=(trainer_factory, network, dataset, config, cancel or threading.Event())).start()
            return True
        if not precompile.ensure(dtype, cancel or threading.Event()):
            return False
        _warm_up(trainer_factory, network, dataset, config)
    # numba's compiler leaves a large, long-lived object graph; freezing it keeps the GUI
    # thread's timed garbage collections from walking it again (no collection here: see gcpolicy).
    gc.freeze()
    return True


def _load_when_compiled(trainer_factory, network, dataset, config, cancel: threading.Event) -> None:
    """Wait for the compiling children, load what they cached, then switch the networks of this
    dtype from the numpy twin to the kernels (between two chunks of a run: nothing else notices).
    Cancelled (the window closed), it leaves the twin on: the process is ending."""
    dtype = str(network.dtype)
    if not precompile.ensure(dtype, cancel, everything=True):
        return
    try:
        with interim.compiled():
            _warm_up(trainer_factory, network, dataset, config)
    except Exception:     # the kernels then compile in-process at their first call, as without a child
        log.warning("loading the compiled kernels failed", exc_info=True)
    interim.end(dtype)
    gc.freeze()


def _warm_up(trainer_factory, network, dataset, config) -> None:
    dtype = str(network.dtype)
    from dataclasses import replace

    # The kernels' signatures depend on the dtype only, so a tiny net with the same inputs and
    # outputs compiles them all: a copy of a 784-4096x4-10 net would take seconds to allocate.
    spec = network.spec
    hidden = tuple(spec.hidden_activations[:1])
    tiny = replace(spec, sizes=(spec.sizes[0], *((4,) if hidden else ()), spec.sizes[-1]), hidden_activations=hidden)
    spare_net = type(network)(tiny, seed=0)
    cfg = replace(config, epochs=1)
    spare = trainer_factory(spare_net, dataset, cfg)
    spare.step_batches(2)
    n_in = network.spec.sizes[0]
    spare_net.forward(np.zeros((3, n_in), dtype=network.dtype))
    try:
        spare_net.forward_all(np.zeros((3, n_in), dtype=network.dtype))
        spare.probe_histograms()
    except Exception:  # optional extras: the run compiles them itself if needed
        log.debug("warm-up extras failed", exc_info=True)
    _WARM_DTYPES.add(dtype)


class _Cancel(threading.Event):
    """Kills the compiling children as it is set: the thread waiting for them (the kernel loader)
    may be one nobody joins."""

    def set(self) -> None:
        super().set()
        precompile.kill()


class TrainingWorker(QtCore.QObject):
    sigStateChanged = QtCore.Signal(str)   # "compiling" | "training" | ... as the run moves on
    sigFinished = QtCore.Signal(str)       # final state of a run or a step: done | stopped | paused | diverged
    sigDiverged = QtCore.Signal(str)       # message from the trainer
    sigError = QtCore.Signal(str)          # an unexpected exception, with traceback text
    sigStepped = QtCore.Signal()           # a Step (batch/epoch) finished
    sigWarmed = QtCore.Signal()            # prewarm() finished (kernels loaded or compiled)
    # Queued to this worker's own thread by the request_... methods.
    _sigRun = QtCore.Signal()
    _sigPrewarm = QtCore.Signal()
    _sigStep = QtCore.Signal(int)
    _sigStepEpoch = QtCore.Signal()

    def __init__(self, trainer_factory):
        super().__init__()
        self._factory = trainer_factory
        self.trainer = None
        self.cancel = _Cancel()             # set when the window closes: ends a first compile at once
        self._sigRun.connect(self.run)
        self._sigPrewarm.connect(self.prewarm)
        self._sigStep.connect(self.step_batches)
        self._sigStepEpoch.connect(self.step_epoch)

    # ------------------------------------------------------------------ from the GUI thread
    def request_run(self, behind_prewarm: bool = False) -> None:
        # While the kernels still load, the run waits behind them: say so now.
        cold = behind_prewarm or (self.trainer is not None and not is_warm(self.trainer.network))
        self.sigStateChanged.emit("compiling" if cold else "training")
        self._sigRun.emit()

    def request_step(self, n: int | None) -> None:
        """A step of ``n`` mini-batches, or to the end of the epoch with None."""
        self.sigStateChanged.emit("paused")       # a step trains from a paused state, and ends in one
        if n is None:
            self._sigStepEpoch.emit()
        else:
            self._sigStep.emit(int(n))

    def request_prewarm(self) -> None:
        self._sigPrewarm.emit()

    def pause(self) -> None:
        self.trainer.pause()
        self.sigStateChanged.emit("paused")

    def resume(self) -> None:
        self.trainer.resume()
        self.sigStateChanged.emit("training")

    # ------------------------------------------------------------------ in the worker thread

    def set_trainer(self, trainer) -> None:
        # Only called by the controller while the worker is idle.
        self.trainer = trainer

    def _warm(self) -> None:
        t = self.trainer
        if not is_warm(t.network):
            self.sigStateChanged.emit("compiling")
            warm_up(self._factory, t.network, t.dataset, t.config, self.cancel)

    @QtCore.Slot()
    def prewarm(self) -> None:
        """Load (or compile) the kernels as soon as the window opens, so the first Play starts at
        once; quietly: a failure here shows up, with its message, when a run warms up itself."""
        t = self.trainer
        try:
            if t is not None and not is_warm(t.network):
                warm_up(self._factory, t.network, t.dataset, t.config, self.cancel)
        except Exception:
            log.debug("pre-warm failed", exc_info=True)
        finally:
            self.sigWarmed.emit()

    def _report_divergence(self, t) -> None:
        snap = t.latest
        self.sigDiverged.emit(snap.message if snap is not None and snap.message else
                              "The loss became NaN or infinite.")

    @QtCore.Slot()
    def run(self) -> None:
        t = self.trainer
        if t is None:
            return
        try:
            self._warm()
            self.sigStateChanged.emit("training")
            state = t.run()
            if state == "diverged":
                self._report_divergence(t)
        except Exception as exc:  # surfaced in the window, never swallowed
            state = "error"
            self.sigError.emit(f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}")
        self.sigFinished.emit(str(state))

    @QtCore.Slot(int)
    def step_batches(self, n: int) -> None:
        self._step(lambda t: t.step_batches(n))

    @QtCore.Slot()
    def step_epoch(self) -> None:
        self._step(lambda t: t.step_epoch())

    def _step(self, fn) -> None:
        t = self.trainer
        if t is None:
            return
        try:
            self._warm()
            result = fn(t)
            if getattr(t.latest, "state", None) == "diverged" or result == "diverged":
                self._report_divergence(t)
        except Exception as exc:
            self.sigError.emit(f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}")
        self.sigStepped.emit()
