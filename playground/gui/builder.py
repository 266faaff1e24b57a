"""Building a big network off the GUI thread, and the warning before building one too slow to watch.

Allocating and initialising 784-4096x4-10 (50 million weights) and its trainer, and probing its
first histograms, takes seconds; done in the GUI thread it froze the window at every size change.
Above BIG_WEIGHTS the controller hands the build to a NetworkBuilder (one worker thread) and shows
"preparing" meanwhile; small networks build at once, as before (milliseconds).

A newer build supersedes an older one: each gets a token and only the newest result is delivered.
"""
from __future__ import annotations

import concurrent.futures
import threading
from dataclasses import dataclass

from playground.core.errors import PlaygroundError
from playground.core.workload import epoch_seconds, n_weights

from ._qt import QtCore

BIG_WEIGHTS = 2_000_000        # above this, build in the background (784-2500-10 and up)
SLOW_EPOCH_SECONDS = 60.0      # warn before building a network whose epoch takes longer


@dataclass
class Built:
    token: int
    state: dict            # the controls' state the network was built from
    network: object
    trainer: object
    histograms: list       # the initial weights' activations, probed in the build thread
    thread: str            # name of the thread that built it (for the tests)


def is_big(spec) -> bool:
    return n_weights(spec.sizes) > BIG_WEIGHTS


def slow_warning(spec, batch_size: int, n_train: int, n_eval: int) -> str | None:
    """The question to ask before building a network whose epochs take minutes, or None."""
    seconds = epoch_seconds(spec.sizes, batch_size, n_train, n_eval)
    if seconds < SLOW_EPOCH_SECONDS:
        return None
    w = n_weights(spec.sizes)
    return (f"This network has {w / 1e6:.1f} million weights. On this computer one epoch "
            f"({n_train:,} training samples at batch {batch_size}, then evaluation) will take about "
            f"{_duration(seconds)}, and the window updates only between slow steps.\n\n"
            f"Build it anyway?")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class NetworkBuilder(QtCore.QObject):
    sigBuilt = QtCore.Signal(object)       # Built
    sigFailed = QtCore.Signal(int, str)    # token, message

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self._backend = backend
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="nn-build")
        self._token = 0
        self.pending = False

    def start(self, spec, cfg, dataset, state: dict) -> int:
        self._token += 1
        self.pending = True
        token = self._token
        self._pool.submit(self._build, token, spec, cfg, dataset, dict(state))
        return token

    def cancel(self) -> None:
        """Forget any build in flight (its result is dropped when it arrives)."""
        self._token += 1
        self.pending = False

    def shutdown(self) -> None:
        self.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _build(self, token, spec, cfg, dataset, state) -> None:
        if token != self._token:
            return
        try:
            network = self._backend.network(spec, seed=cfg.seed)
            trainer = self._backend.trainer(network, dataset, cfg)
            histograms = trainer.probe_histograms()
        except (PlaygroundError, MemoryError) as e:
            self.sigFailed.emit(token, str(e) or "not enough memory")
            return
        # Emitted from this thread; Qt queues it to the builder's (GUI) thread.
        self.sigBuilt.emit(Built(token, state, network, trainer, histograms, threading.current_thread().name))

    def accepts(self, token: int) -> bool:
        """True for the newest build's result (which ends the pending state)."""
        if token != self._token:
            return False
        self.pending = False
        return True


class BackgroundBuild(QtCore.QObject):
    """The controller's side of one session's background builds: start one, say "preparing",
    attach the result to that session (each session has its own, so one run's build never
    supersedes another's)."""

    def __init__(self, controller, session):
        super().__init__(session)
        self.c = controller
        self.session = session
        self._dataset = None
        self.builder = NetworkBuilder(controller.backend, self)
        self.builder.sigBuilt.connect(self._on_built)
        self.builder.sigFailed.connect(self._on_failed)
        self.last_thread = ""          # thread that built the newest network (for the tests)

    @property
    def pending(self) -> bool:
        return self.builder.pending

    def confirm(self, spec, cfg, dataset) -> bool:
        """Ask before building a network whose epochs take minutes; True to go ahead."""
        n_eval = sum(len(getattr(dataset, f"x_{k}", ())) for k in ("train", "val", "test"))
        text = slow_warning(spec, cfg.batch_size, len(dataset.x_train), n_eval)
        return text is None or self.c.ask("A very large network", text)

    def start(self, spec, cfg, dataset) -> None:
        c = self.c
        self._dataset = dataset
        self.session.detach("preparing")
        self.builder.start(spec, cfg, dataset, c.w.controls.state())
        c.w.statusBar().showMessage(f"Preparing a network of {n_weights(spec.sizes) / 1e6:.1f} million weights…")

    def _on_built(self, built: Built) -> None:
        if not self.builder.accepts(built.token):
            return
        self.last_thread = built.thread
        self.c.w.statusBar().clearMessage()
        self.c.attach(self._dataset, built.network, built.trainer, built.state, built.histograms,
                      session=self.session)
        self.session.prewarm()           # a first start with a big saved network

    def _on_failed(self, token: int, message: str) -> None:
        if not self.builder.accepts(token):
            return
        self.c.w.statusBar().clearMessage()
        if self.session is self.c.active:
            self.c._show_banner("error", f"Cannot build this network: {message}")
        self.session.detach("error")

    def shutdown(self) -> None:
        self.builder.shutdown()
