"""A RunSession owns one run: its dataset, network and trainer, the two worker threads that train
it (one runs Trainer.run, one does Step, so Step works while a run is paused), its snapshot tap,
and its phase.

The phase has one source: the workers' signals (and the background builder's, for "preparing").
Commands go to the workers, which say the state they put the run in; nothing else sets it. A
session knows nothing of widgets: the controller wires the active session's signals to them, so a
window can hold several sessions and views never need to know which one they show.

Phases: idle -> preparing (a big network builds) -> ready -> compiling -> training <-> paused ->
done | stopped | diverged | error.
"""
from __future__ import annotations

import itertools
import logging
import time

from playground.core.checkpoints import CheckpointStore

from ._qt import QtCore, QtWidgets
from .pacing import BLAS, SnapshotTap
from .worker import TrainingWorker, is_warm

log = logging.getLogger(__name__)
_NUMBERS = itertools.count(1)
SNAPSHOTS_PER_EPOCH = 25        # curves keep their shape however fast an epoch trains


class RunSession(QtCore.QObject):
    sigPhaseChanged = QtCore.Signal(str)
    sigTrainerChanged = QtCore.Signal()     # a new network / trainer: views configure for it
    sigFinished = QtCore.Signal(str)        # a run ended (done | stopped | paused | diverged | error)
    sigStepped = QtCore.Signal()            # a Step (batch / epoch) ended
    sigDiverged = QtCore.Signal(str)        # the trainer's message
    sigError = QtCore.Signal(str)           # an unexpected exception, with its traceback
    sigWarmed = QtCore.Signal()             # the kernels are loaded

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.number = next(_NUMBERS)
        self.backend = backend
        self.dataset = None
        self.network = None
        self.trainer = None
        self.tap = None
        self.checkpoints = None       # core.checkpoints.CheckpointStore of this network (replay)
        self.applied: dict = {}       # the controls' state the network was built from
        self.phase = "idle"
        self.run_active = False
        self.step_active = False
        self.error: str | None = None
        self.prewarming = False       # the runner loads the kernels; a Play waits behind it
        suffix = "" if self.number == 1 else f"-{self.number}"
        self.runner_thread, self.runner = self._worker(f"nn-runner{suffix}")
        self.stepper_thread, self.stepper = self._worker(f"nn-stepper{suffix}")
        self.runner.sigFinished.connect(self._on_run_finished)
        self.runner.sigWarmed.connect(self._on_warmed)
        self.stepper.sigStepped.connect(self._on_stepped)
        self._closed = False

    def _worker(self, name):
        thread = QtCore.QThread(self)
        thread.setObjectName(name)
        worker = TrainingWorker(self.backend.trainer)
        worker.moveToThread(thread)
        worker.sigStateChanged.connect(self._on_state)
        worker.sigDiverged.connect(self._on_diverged)
        worker.sigError.connect(self._on_error)
        thread.start()
        return thread, worker

    def __repr__(self) -> str:
        sizes = None if self.network is None else self.network.spec.sizes
        name = None if self.dataset is None else self.dataset.name
        return f"RunSession({self.number}, {name}, {sizes}, {self.phase})"

    # ------------------------------------------------------------------ the run's objects
    @property
    def probe_x(self):
        """The rows the trainer's histograms describe; the diagram shows the same rows."""
        return self.trainer._probe_x

    def has_progress(self) -> bool:
        return self.trainer is not None and self.trainer.step > 0

    def attach(self, dataset, network, trainer, applied: dict, throttle=None, histograms=None) -> None:
        """A new network and trainer (only while no run or step is active). ``histograms``: the
        initial weights' activations when already probed (a background build does)."""
        self.dataset, self.network, self.trainer, self.applied = dataset, network, trainer, dict(applied)
        self.tap = SnapshotTap(trainer)
        self.checkpoints = self.tap.checkpoints = CheckpointStore(network, trainer)
        if histograms is not None:
            self.tap.histograms = (-1, histograms)
        trainer.on_snapshot = self.tap
        trainer.snapshots_per_epoch = SNAPSHOTS_PER_EPOCH
        trainer.set_throttle(throttle)
        self.runner.set_trainer(trainer)
        self.stepper.set_trainer(trainer)
        self.error = None
        self.sigTrainerChanged.emit()
        self._set_phase("ready")

    def detach(self, phase: str) -> None:
        """No network while a new one builds ("preparing") or after a build failed ("error"):
        nothing may train or draw the old one."""
        self.network = self.trainer = self.tap = self.checkpoints = None
        self.runner.set_trainer(None)
        self.stepper.set_trainer(None)
        self._set_phase(phase)

    def prewarm(self) -> bool:
        """Load (or compile) the kernels in the background; True if that is needed."""
        if self.trainer is None or is_warm(self.trainer.network) or self.prewarming:
            return False
        self.prewarming = True
        self.runner.request_prewarm()
        return True

    # ------------------------------------------------------------------ commands
    @property
    def playing(self) -> bool:
        return self.run_active and self.trainer is not None and not self.trainer.is_paused

    def play_pause(self) -> None:
        t = self.trainer
        if t is None:
            return
        if self.run_active:
            self.runner.resume() if t.is_paused else self.runner.pause()
            return
        if self.step_active:
            return
        t.resume()                       # a run starts unpaused, whatever a step left behind
        self.run_active = True
        self._note_busy()
        self.runner.request_run(behind_prewarm=self.prewarming)

    def step(self, n: int | None = 1) -> bool:
        """Train ``n`` mini-batches (None: to the end of the epoch), pausing a running trainer
        first so a Step trains exactly what it says; False if no step can start."""
        if self.trainer is None or self.step_active:
            return False
        if self.run_active and not self.trainer.is_paused:
            self.runner.pause()
        self.step_active = True
        self._note_busy()
        self.stepper.request_step(n)
        return True

    def stop(self) -> None:
        if self.trainer is not None and (self.run_active or self.step_active):
            self.trainer.request_stop()

    def stop_and_wait(self, timeout_ms: int = 10000) -> bool:
        """Stop any run or step and wait (processing events) until the workers are idle."""
        if self.trainer is None or not (self.run_active or self.step_active):
            return True
        self.trainer.request_stop()
        deadline = time.monotonic() + timeout_ms / 1000
        while (self.run_active or self.step_active) and time.monotonic() < deadline:
            QtWidgets.QApplication.processEvents(QtCore.QEventLoop.AllEvents, 20)
            time.sleep(0.002)
        return not (self.run_active or self.step_active)

    def close(self) -> None:
        """Stop training and end both worker threads."""
        if self._closed:
            return
        self._closed = True
        if self.trainer is not None:
            self.trainer.request_stop()
        for wk in (self.runner, self.stepper):
            wk.cancel.set()            # a first compile (a child process) is killed, not waited for
        for th in (self.runner_thread, self.stepper_thread):
            th.quit()
        for th in (self.runner_thread, self.stepper_thread):
            if not th.wait(120000):    # a first numba compile cannot be interrupted
                log.error("worker thread %s did not finish", th.objectName())
        self.run_active = self.step_active = False
        self._note_busy()

    # ------------------------------------------------------------------ worker reports
    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.sigPhaseChanged.emit(phase)

    def _on_state(self, state: str) -> None:
        if state == "training":
            if self.run_active:
                self._set_phase("paused" if self.trainer.is_paused else "training")
        else:
            self._set_phase(state)

    def _on_warmed(self) -> None:
        self.prewarming = False
        self.sigWarmed.emit()

    def _note_busy(self) -> None:
        BLAS.note(self, self.run_active or self.step_active)

    def _on_run_finished(self, state: str) -> None:
        self.run_active = False
        self._note_busy()
        self.sigFinished.emit(state)
        if state == "stopped" and self.step_active:
            return
        self._set_phase({"early_stopped": "done"}.get(state, state))

    def _on_stepped(self) -> None:
        self.step_active = False
        self._note_busy()
        self.sigStepped.emit()
        if self.phase not in ("diverged", "error"):
            self._set_phase("paused")

    def _on_diverged(self, message: str) -> None:
        self._set_phase("diverged")
        self.sigDiverged.emit(message)

    def _on_error(self, text: str) -> None:
        self.error = text
        self.sigError.emit(text)
        self._set_phase("error")
