"""The window's run list: every run trained in it (and in earlier sessions, from the run history
file, core.runhistory), kept up to date from the live sessions.

A run enters the list once it has trained something (a mini-batch); a Reset or a new network in
the same session makes a new run. The list polls the controller's sessions (POLL_MS), so runs
made anywhere (twins, branches, lessons) are listed without being announced, and writes the file
when a run ends or pauses, every SAVE_EVERY seconds while runs train, and when the window closes.
"""
from __future__ import annotations

import logging
import time
import weakref

from playground.core.errors import PlaygroundError
from playground.core.runhistory import HistoryFileError, RunHistory, RunRecord
from playground.core.runspec import RunSpec

from ._qt import QtCore
from .labels import ACTIVATION_LABELS, DATASET_LABELS, OPTIMIZER_LABELS

log = logging.getLogger(__name__)

POLL_MS = 1000
SAVE_EVERY = 30.0
_RESTING = ("done", "stopped", "paused", "diverged", "error")


def summary(run: dict) -> str:
    """One line naming a run's configuration: "Spirals · 2-8-8-2 Tanh · SGD η 0.03 · batch 10"."""
    try:
        spec = RunSpec.from_dict(run)
    except PlaygroundError:
        return "?"
    net, tr = spec.network, spec.train
    acts = sorted(set(net.hidden_activations))
    parts = [DATASET_LABELS.get(spec.data.name, spec.data.name),
             "-".join(map(str, net.sizes)) + " " + "/".join(ACTIVATION_LABELS.get(a, a) for a in acts),
             f"{OPTIMIZER_LABELS.get(tr.optimizer, tr.optimizer)} η {tr.eta:g}", f"batch {tr.batch_size}"]
    if tr.l2:
        parts.append(f"L2 {tr.l2:g}")
    if tr.dropout:
        parts.append(f"dropout {tr.dropout:g}")
    return " · ".join(parts)


class RunList(QtCore.QObject):
    sigChanged = QtCore.Signal()                    # records added, removed, renamed or updated
    sigVisibilityChanged = QtCore.Signal(str, bool)  # run id, shown: views that draw several runs obey it
    sigMessage = QtCore.Signal(str)                 # something the person should know (file set aside...)

    def __init__(self, controller, history: RunHistory | None = None, parent=None):
        super().__init__(parent or controller)
        self.c = controller
        self.history = history if history is not None else RunHistory()
        self._ids: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()    # trainer -> run id (None: deleted)
        self._sessions: dict[str, weakref.ref] = {}                           # run id -> session
        self._names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # session -> name for its next run
        self._phases: dict[str, str] = {}
        self._dirty = False          # records changed since the last write
        self._save_soon = False      # ... and a run came to rest: write at the next poll
        self._saved_at = time.monotonic()
        self._write_error: str | None = None
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        if self.history.message:
            # After the window is up, so the message has somewhere to appear.
            QtCore.QTimer.singleShot(0, lambda: self.sigMessage.emit(self.history.message))

    @property
    def records(self) -> list[RunRecord]:
        return self.history.records

    def session_of(self, run_id: str):
        ref = self._sessions.get(run_id)
        s = ref() if ref is not None else None
        return s if s is not None and s in self.c.sessions else None

    def record_of(self, session) -> RunRecord | None:
        rid = self._ids.get(session.trainer) if session.trainer is not None else None
        return self.history.get(rid) if rid else None

    # ------------------------------------------------------------------ following the sessions
    def poll(self) -> None:
        changed = False
        for s in list(self.c.sessions):
            t = s.trainer
            if t is None or (t.step == 0 and not t.history):
                continue
            if t in self._ids:
                rid = self._ids[t]
                rec = self.history.get(rid) if rid else None
                if rec is None:
                    continue                            # deleted from the list: not brought back
                before = (rec.samples_seen, len(rec.history), rec.state)
                rec.update_from(t, s.phase)
                changed |= before != (rec.samples_seen, len(rec.history), rec.state)
            else:
                try:
                    run = RunSpec.from_settings(s.applied)
                except PlaygroundError as e:
                    log.debug("run %s not listed: %s", s.number, e)
                    self._ids[t] = None
                    continue
                name = self._names.pop(s, None) or f"Run {len(self.history.records) + 1}"
                rec = self.history.add(RunRecord.of(name, run, t, state=s.phase))
                self._ids[t] = rec.id
                self._sessions[rec.id] = weakref.ref(s)
                changed = True
            if self._phases.get(rec.id) != s.phase:
                if s.phase in _RESTING:
                    self._dirty = self._save_soon = True
                self._phases[rec.id] = s.phase
        if changed:
            self._dirty = True
            self.sigChanged.emit()
        if self._dirty and (self._save_soon or time.monotonic() - self._saved_at > SAVE_EVERY):
            self.save()

    def name_branch(self, session, parent, cp) -> None:
        """The name the next run of ``session`` gets: its parent's, and the moment it left it."""
        rec = self.record_of(parent)
        base = rec.name if rec is not None else f"Run {parent.number}"
        self._names[session] = f"{base} ↳ epoch {cp.epoch_fraction:,.2f}"

    def name_next(self, session, name: str) -> None:
        self._names[session] = name

    # ------------------------------------------------------------------ commands
    def rename(self, run_id: str, name: str) -> None:
        self.history.rename(run_id, name)     # SpecError for an empty or too long name
        self._changed()

    def set_visible(self, run_id: str, shown: bool) -> None:
        rec = self.history.get(run_id)
        if rec is None or rec.visible == shown:
            return
        rec.visible = shown
        self._changed()
        self.sigVisibilityChanged.emit(run_id, shown)

    def is_visible(self, run_id: str) -> bool:
        rec = self.history.get(run_id)
        return rec is not None and rec.visible

    def delete(self, run_id: str) -> None:
        """Take a run off the list (a live run keeps training; it is not listed again)."""
        for t, rid in list(self._ids.items()):
            if rid == run_id:
                self._ids[t] = None
        self._sessions.pop(run_id, None)
        if self.history.remove(run_id):
            self._changed()

    def add(self, record: RunRecord) -> RunRecord:
        self.history.add(record)
        self._changed()
        return record

    def _changed(self) -> None:
        self._dirty = self._save_soon = True
        self.sigChanged.emit()
        self.save()

    def save(self) -> bool:
        self._dirty = self._save_soon = False
        self._saved_at = time.monotonic()
        try:
            return self.history.save()
        except HistoryFileError as e:
            if str(e) != self._write_error:       # said once, not every poll
                self._write_error = str(e)
                self.sigMessage.emit(f"{e}. The runs stay listed in this window.")
            return False

    def shutdown(self) -> None:
        self.timer.stop()
        self.poll()
        self.save()
