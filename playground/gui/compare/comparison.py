"""A comparison: two to four twin runs, each its own RunSession beside the window's other runs,
kept in step in samples seen by one PaceGate, so a race is a race of optimisers, not of CPU luck.

The controller keeps the sessions (and closes them with the window); a Comparison only knows
which of them are twins and commands them: play / pause, stop, remove, make one the main run.
"""
from __future__ import annotations

import logging

from playground.core.compare import MAX_TWINS, init_sha256
from playground.core.errors import PlaygroundError, SpecError
from playground.core.pace import PaceGate

from .._qt import QtCore
from .. import dataload

log = logging.getLogger(__name__)


def lead_samples(n_train: int, batch_size: int) -> int:
    """How far one twin may run ahead of the slowest: half an epoch (at least ten mini-batches),
    so the curves of a race stay side by side at the resolution anyone looks at them."""
    return max(n_train // 2, 10 * batch_size)


def controls_state(spec) -> dict:
    """A twin's settings as the controls speak them (what a promoted twin shows on the Train page)."""
    s = spec.to_settings()
    s["per_layer"] = len(set(s["hidden_activations"])) > 1
    return s


class Comparison(QtCore.QObject):
    sigChanged = QtCore.Signal()        # a twin was removed or promoted: the page lays out again

    def __init__(self, controller, twins, sessions, gate):
        super().__init__(controller)
        self.controller = controller
        self.twins = list(twins)
        self.sessions = list(sessions)
        self.gate = gate
        # A twin keeps its colour when another is removed: colours index the original twins.
        self.colour_index = {s: i for i, s in enumerate(self.sessions)}
        self._trainers = {s: s.trainer for s in self.sessions}
        self.closed = False
        self.init_hashes: list[str] = []        # sha256 of each twin's initial parameters
        for s in self.sessions:
            s.sigTrainerChanged.connect(self._on_trainer_changed)

    def __repr__(self) -> str:
        return f"Comparison({[t.label for t in self.twins]})"

    def twin_of(self, session):
        return self.twins[self.sessions.index(session)]

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.twins]

    # ------------------------------------------------------------------ commands
    def start(self) -> None:
        """Every twin that is not training starts (or resumes) now."""
        for s in self.sessions:
            if s.trainer is not None and not s.playing and not s.step_active:
                s.play_pause()

    def pause_all(self) -> None:
        for s in self.sessions:
            if s.playing:
                s.play_pause()

    @property
    def any_playing(self) -> bool:
        return any(s.playing for s in self.sessions)

    def toggle(self, session) -> None:
        """Pause a training twin; resume or restart a paused or finished one."""
        if session.trainer is not None and not session.step_active:
            session.play_pause()

    def stop(self, session) -> None:
        session.stop()

    def stop_all(self) -> None:
        for s in self.sessions:
            s.stop()

    def promote(self, session) -> None:
        """This twin becomes the main run: the Train page shows it and the toolbar commands it."""
        c = self.controller
        c.activate(session)
        c.w.pages.setCurrentWidget(c.w.splitter)
        self.sigChanged.emit()

    def remove(self, session) -> bool:
        """Stop the twin and end its threads; False if it is the window's only run (it stays)."""
        if session not in self.sessions:
            return False
        trainer = self._trainers.pop(session, None)
        if trainer is not None:
            self.gate.leave(trainer)
        i = self.sessions.index(session)
        del self.sessions[i], self.twins[i]
        session.sigTrainerChanged.disconnect(self._on_trainer_changed)
        self.controller.close_session(session)
        self.sigChanged.emit()
        return True

    def close(self) -> None:
        """The comparison ends: its twins stop and close, except the one on show as the main run."""
        if self.closed:
            return
        self.closed = True
        for s in list(self.sessions):
            s.stop()
        for s in list(self.sessions):
            if s is not self.controller.active:
                self.remove(s)
        for trainer in self._trainers.values():
            self.gate.leave(trainer)
        self._trainers.clear()
        # The twin left on show is the window's run now: a closed comparison holds no run (it kept
        # each comparison's last twin, its data and network, for the rest of the session).
        self.sessions.clear()
        self.twins.clear()
        self.colour_index.clear()

    # ------------------------------------------------------------------ reports
    def _on_trainer_changed(self) -> None:
        """A promoted twin rebuilt from the controls is a run of its own now: it leaves the race."""
        s = self.sender()
        old = self._trainers.get(s)
        if old is not None and old is not s.trainer:
            self.gate.leave(old)
            self._trainers[s] = s.trainer
        self.sigChanged.emit()


def build(controller, twins) -> Comparison:
    """One session per twin, built now, joined to one gate; nothing trains yet. SpecError or
    another PlaygroundError (with nothing left behind) if a twin cannot be built."""
    twins = list(twins)
    if not 1 <= len(twins) <= MAX_TWINS:
        raise SpecError(f"A comparison has two to {MAX_TWINS} twins, not {len(twins)}.")
    datasets = {}
    sessions = []
    hashes = []
    backend = controller.backend
    try:
        for twin in twins:
            state = controls_state(twin.spec)
            subset = dataload.subset_of(twin.spec.data)
            key = tuple(state[k] for k in ("dataset", "noise", "test_ratio", "seed")) + tuple(sorted(subset.items()))
            if key not in datasets:
                datasets[key] = controller.dataset_for(state, subset=subset)
            dataset = datasets[key]
            if dataset is None:
                raise PlaygroundError(f"The data of the twin {twin.label!r} could not be loaded.")
            network = backend.network(twin.spec.network, seed=twin.spec.seed)
            hashes.append(init_sha256(network))
            trainer = backend.trainer(network, dataset, twin.spec.train)
            s = controller.add_session()
            sessions.append(s)
            controller.runs.name_next(s, twin.label)     # the history lists "ReLU", not "Run 7"
            controller.attach(dataset, network, trainer, state, session=s)
    except BaseException:
        for s in sessions:
            controller.close_session(s)
        raise
    first = sessions[0].trainer
    gate = PaceGate(lead_samples(first.n_train, max(t.spec.train.batch_size for t in twins)))
    for s in sessions:
        gate.join(s.trainer)
    comparison = Comparison(controller, twins, sessions, gate)
    comparison.init_hashes = hashes
    return comparison
