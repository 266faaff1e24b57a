"""The Controller: the one place that wires the widgets to the runs.

A window holds a list of RunSessions (each owns one run: dataset, network, trainer, worker threads,
phase) and shows one, the active session: the controls describe it, the toolbar commands it, the
frame scheduler (frames.py) draws it. Its signals reach the widgets only while it is active.
File commands live in filedialogs.py, dataset loading in dataload.py, window settings in
mainwindow.py.
"""
from __future__ import annotations

import logging
import random

from playground.core.errors import PlaygroundError, SpecError

from ._qt import QtCore, QtWidgets
from . import compare, dataload, filedialogs, gcpolicy, runfiles, runmessages, viewexport
from . import settings as st
from . import lessons as lesson_menu
from .backend import CoreBackend
from .builder import BackgroundBuild, is_big
from .controls import LIVE_KEYS
from .dataset_defaults import DatasetDefaults
from .diagnosisbar import DiagnosisWatch
from .frames import FrameScheduler
from .gapmeter import GapMeter
from .historypanel import HistoryView
from .mainwindow import SPEEDS
from .replay import Replay
from .runlist import RunList
from .session import RunSession

log = logging.getLogger(__name__)

DATA_KEYS = ("dataset", "noise", "test_ratio", "seed")


def _of_active(attr):
    return property(lambda self: getattr(self.active, attr) if self.active is not None else None)


class Controller(QtCore.QObject):
    sigPhaseChanged = QtCore.Signal(str)     # the active run's phase (tests, the selftest)

    # The active run's objects, for the window, the selftest and the tests.
    dataset = _of_active("dataset")
    network = _of_active("network")
    trainer = _of_active("trainer")
    applied = _of_active("applied")
    phase = _of_active("phase")
    run_active = _of_active("run_active")
    step_active = _of_active("step_active")
    error = _of_active("error")
    runner_thread = _of_active("runner_thread")
    stepper_thread = _of_active("stepper_thread")

    def __init__(self, window, backend: CoreBackend | None = None, *, restore_settings: bool = True,
                 ask=None):
        super().__init__(window)
        self.w = window
        window.controller = self
        self.backend = backend or CoreBackend()
        # ask(title, text) -> bool; tests replace it to answer the reset question without a dialog.
        self.ask = ask or self._ask_dialog
        self.sessions: list[RunSession] = []
        self._builds: dict[RunSession, BackgroundBuild] = {}
        self.active: RunSession | None = None
        self._shut_down = False
        self._gc = gcpolicy.install()
        self.frames = FrameScheduler(window, self)
        self.diagnosis = DiagnosisWatch(window.diagnosis, self.frames, self)
        self.gaps = GapMeter(self)
        self.defaults = DatasetDefaults(window)
        self.runs = RunList(self)            # the run history (gui/runlist.py, gui/historypanel.py)
        self.history_view = HistoryView(self, self.runs, window.history_panel)
        self.runs.sigMessage.connect(lambda text: self._show_banner("warning", text))
        self.replay = Replay(self, window.replay_bar)
        viewexport.wire(self)

        self._wire()
        if restore_settings:
            window.restore_settings()
        lessons = lesson_menu.install(self)   # after restoreState: the lesson panel never comes back empty
        window.diagnosis.sigOpenLesson.connect(lessons.start)   # "Show me" on a diagnosis
        self.new_session()
        self.frames.start()
        self.gaps.start()
        # Kernels load in the background while the user looks at the window (a first compile,
        # with no numba cache yet, takes seconds); Play queued meanwhile starts right after.
        if self.active.prewarm():
            QtCore.QTimer.singleShot(500, self._say_prewarming)

    @property
    def build(self) -> BackgroundBuild:
        """The active run's background builds."""
        return self._builds[self.active]

    @property
    def snapshots_drawn(self) -> int:
        return self.frames.snapshots_drawn

    # ------------------------------------------------------------------ wiring
    def _wire(self) -> None:
        w = self.w
        w.act_play.triggered.connect(self.play_pause)
        w.act_step.triggered.connect(lambda: self.step(1))
        w.act_step_epoch.triggered.connect(lambda: self.step(None))
        w.act_reset.triggered.connect(lambda: self.rebuild())
        w.act_reset_seed.triggered.connect(lambda: self.rebuild(new_seed=True))
        w.act_stop.triggered.connect(self.stop)
        w.act_save.triggered.connect(lambda: self.save_model_dialog())
        w.act_open.triggered.connect(lambda: self.open_model_dialog())
        w.act_save_run.triggered.connect(lambda: runfiles.save(self))
        w.act_open_run.triggered.connect(lambda: runfiles.open_(self))
        w.act_export_png.triggered.connect(lambda: self.export_plots_dialog("png"))
        w.act_export_svg.triggered.connect(lambda: self.export_plots_dialog("svg"))
        w.act_export_csv.triggered.connect(lambda: self.export_csv_dialog())
        w.act_data_dir.triggered.connect(lambda: filedialogs.choose_data_dir(self))
        w.act_defaults.triggered.connect(self.restore_defaults)
        compare.install(self)
        c = w.controls
        c.sigStructuralChanged.connect(self._on_structural)
        c.sigLiveChanged.connect(self._on_live)
        c.sigValidityChanged.connect(lambda _: self._update_actions())
        c.sigRestoreDefaults.connect(self.restore_defaults)
        w.speed.currentIndexChanged.connect(self._on_speed)
        w.banner.sigAction.connect(self._on_banner_action)
        w.views.diagram.sigNeuronHovered.connect(self._on_neuron_hovered)
        w.views.tabs.currentChanged.connect(self._on_view_tab)

    # ------------------------------------------------------------------ sessions
    def new_session(self, build: bool = True) -> RunSession:
        """A new run beside the others, built from the controls (``build`` False: the caller
        attaches its network), and put on show."""
        s = self.add_session()
        self.activate(s)
        if build:
            self.rebuild(ask=False)
        return s

    def add_session(self) -> RunSession:
        """A new run beside the others with no network yet, not on show (twin runs build their own)."""
        s = RunSession(self.backend, self)
        s.sigPhaseChanged.connect(self._on_phase)
        s.sigTrainerChanged.connect(self._on_trainer_changed)
        s.sigFinished.connect(self._on_finished)
        s.sigStepped.connect(self._on_finished)
        s.sigDiverged.connect(self._on_diverged)
        s.sigError.connect(self._on_error)
        s.sigWarmed.connect(self._on_warmed)
        self.sessions.append(s)
        self._builds[s] = BackgroundBuild(self, s)
        self._gc.watch(s)                # no full collections while it trains
        return s

    def activate(self, s: RunSession) -> None:
        """Show ``s``: the controls describe it, the views draw it, the toolbar commands it."""
        if s is self.active:
            return
        old, self.active = self.active, s
        if s.applied:
            self.w.controls.set_state(s.applied)
        if s.trainer is not None:
            s.trainer.set_throttle(SPEEDS[self.w.speed_key()][1])
        self.w.banner.hide()
        self.frames.show(s)
        self.replay.refresh()            # its slider follows at once (and lets go of the old run)
        self._show_phase()
        if old is not None and old.phase != s.phase:
            self.sigPhaseChanged.emit(s.phase)

    def close_session(self, s: RunSession) -> bool:
        """Stop ``s`` and end its threads; the window always keeps one run (False for the last)."""
        if s not in self.sessions or len(self.sessions) == 1:
            return False
        self.sessions.remove(s)
        self._builds.pop(s).shutdown()
        if s is self.active:
            self.activate(self.sessions[-1])
        s.close()
        s.deleteLater()
        self._gc.settle_soon(s.trainer)
        return True

    def _from_active(self) -> bool:
        """True in a session's slot when the signal comes from the session on show."""
        return self.sender() is self.active and not self._shut_down

    # ------------------------------------------------------------------ building
    def rebuild(self, ask: bool = True, new_seed: bool = False, subset: dict | None = None) -> bool:
        """Make a fresh network + trainer from the controls for the active run (after stopping it);
        ``subset`` (dataload.subset_of) narrows its data, as a lesson's run file asks."""
        s, c = self.active, self.w.controls
        if not c.valid:
            self._update_actions()
            return False
        if not self.stop_and_wait():
            return False
        state = c.state()
        if new_seed:
            state["seed"] = random.randrange(1, 1_000_000)
            c.set_state(state)
        try:
            spec, cfg = c.spec(), c.config()
        except SpecError as e:
            self._show_banner("error", str(e))
            return False
        # A new seed means new weights; the toy points on screen stay (what a lesson expects).
        dataset = self.dataset_for(state, [k for k in DATA_KEYS if not (new_seed and k == "seed")], subset)
        if dataset is None:
            if s.applied:               # keep the previous dataset (and the controls that describe it)
                c.set_state(s.applied)
            self._show_phase()          # again: the actions follow the controls just put back
            return False
        same = s.network is not None and s.network.spec == spec
        if ask and not same and not self.build.confirm(spec, cfg, dataset):
            c.set_state(s.applied)      # the old network and its data stay as they were
            self._show_phase()
            return False
        self.build.builder.cancel()
        if is_big(spec):                # seconds of allocation: never in the GUI thread
            self.build.start(spec, cfg, dataset)
            return True
        try:
            network = self.backend.network(spec, seed=cfg.seed)
            trainer = self.backend.trainer(network, dataset, cfg)
        except PlaygroundError as e:
            self._show_banner("error", f"Cannot build this network: {e}")
            s.detach("error")
            return False
        self.attach(dataset, network, trainer, c.state())
        return True

    def dataset_for(self, state: dict, keys=DATA_KEYS, subset: dict | None = None):
        """The active run's dataset if ``state`` describes it (and no ``subset`` is asked for), else a
        newly loaded one (None: failed)."""
        s = self.active
        if not subset and s.dataset is not None and all(s.applied.get(k) == state[k] for k in keys):
            return s.dataset
        dataset = dataload.load_dataset(self.w, self.backend, state, subset)
        if dataset is None:
            self._show_phase()          # the run's own state again, not "loading data…" until Play
        return dataset

    def attach(self, dataset, network, trainer, applied, histograms=None, session=None) -> None:
        (session or self.active).attach(dataset, network, trainer, applied,
                                        throttle=SPEEDS[self.w.speed_key()][1], histograms=histograms)

    def stop_and_wait(self) -> bool:
        if self.active.stop_and_wait():
            return True
        self._show_banner("error", "Training did not stop in time; try again.")
        return False

    # ------------------------------------------------------------------ commands
    def play_pause(self) -> None:
        s = self.active
        if s.trainer is None:
            return
        if s.run_active:
            if s.trainer.is_paused and self.w.banner.kind == "info":
                self.w.banner.hide()
        elif s.step_active or not self.w.controls.valid:
            return
        elif s.phase == "diverged":
            self.w.banner.hide()
        s.play_pause()
        self._update_actions()

    def step(self, n: int | None = 1) -> None:
        """``n`` mini-batches, or to the end of the epoch with None."""
        if self.w.controls.valid and self.active.step(n):
            self._update_actions()

    def stop(self) -> None:
        self.active.stop()

    # ------------------------------------------------------------------ files
    def save_model_dialog(self, path: str | None = None) -> bool:
        return filedialogs.save_model(self, path)

    def open_model_dialog(self, path: str | None = None) -> bool:
        return filedialogs.open_model(self, path)

    def export_plots_dialog(self, fmt: str, path: str | None = None):
        return filedialogs.export_plots(self, fmt, path)

    def export_csv_dialog(self, path: str | None = None):
        return filedialogs.export_csv(self, path)

    # ------------------------------------------------------------------ control changes
    def _on_structural(self) -> None:
        c = self.w.controls
        try:
            self._structural_change()
        finally:
            # Saved once the change is settled: a dataset that failed to load (no drawings kept)
            # or a cancelled reset puts the old controls back, and the next start must not begin
            # on the error.
            st.save_controls(c.state())

    def _structural_change(self) -> None:
        c = self.w.controls
        if not c.valid:
            self._update_actions()
            return
        s = self.active
        # A finished run's curves are worth as much as a paused one's: ask in every case.
        if s.run_active or s.step_active or s.has_progress():
            if not self.ask("Reset the network?",
                            "This change needs a new network, so the training so far will be lost.\n\n"
                            "Reset now?"):
                c.set_state(s.applied)
                return
        if self.rebuild():
            self.defaults.announce(s.applied)

    def _on_live(self, values: dict) -> None:
        st.save_controls(self.w.controls.state())
        s = self.active
        if s.trainer is None:
            return
        old = {k: s.applied.get(k) for k in LIVE_KEYS}
        try:
            s.trainer.set_config(**{k: values[k] for k in LIVE_KEYS})
            s.applied.update({k: values[k] for k in LIVE_KEYS})
        except SpecError as e:
            self.w.controls.training_error.show_message(str(e))
        else:
            self.w.plots.mark_live_change(old, values, s.trainer.latest)   # "η 0.1→0.01" on the curves

    def _on_speed(self, _index: int = -1) -> None:
        key = self.w.speed_key()
        st.set_value("training/speed", key)
        if self.trainer is not None:
            self.trainer.set_throttle(SPEEDS[key][1])      # live: a waiting loop wakes up at once

    def restore_defaults(self) -> None:
        s = self.active
        if (s.run_active or s.has_progress()) and not self.ask(
                "Restore defaults?", "Restoring the default settings resets the network. Continue?"):
            return
        self.w.restore_defaults()
        self.rebuild()

    # ------------------------------------------------------------------ session reports
    def _on_phase(self, phase: str) -> None:
        if self._from_active():
            self.sigPhaseChanged.emit(phase)
            self._show_phase()

    def _on_trainer_changed(self) -> None:
        if not self._from_active():
            return
        self.w.banner.hide()
        self.frames.show(self.active)
        # The old network's plots and arrays are garbage now and nothing animates yet: the
        # moment for a full collection, so none is needed mid-run.
        self._gc.settle()

    def _on_finished(self, _state: str = "") -> None:
        if self._from_active():
            self.frames.tick()
            self.frames.refresh_views(force=True)   # the final weights, not the last ones a frame caught
            self._update_actions()

    def _say_prewarming(self) -> None:
        if self.active.prewarming and not self._shut_down:      # a first start compiles: seconds, once
            self.w.statusBar().showMessage("Preparing the training engine (only the first start takes this long)…")

    def _on_warmed(self) -> None:
        if self._from_active():
            self.w.statusBar().clearMessage()

    def _on_diverged(self, message: str) -> None:
        if self._from_active():
            runmessages.show_divergence(self.w, message)

    def _on_error(self, text: str) -> None:
        log.error("worker error: %s", text)
        if self._from_active():
            runmessages.show_error(self.w, text)

    def _on_banner_action(self, key: str) -> None:
        if key == runmessages.LOWER_ETA:
            runmessages.lower_eta(self.w)
        elif key == runmessages.RESET:
            self.rebuild()

    def _on_neuron_hovered(self, layer: int, unit: int) -> None:
        if self.dataset is None or self.dataset.image_shape is not None:
            return
        names = self.w.views.diagram.names
        self.w.views.boundary.set_neuron(layer, unit, names[layer] if 0 <= layer < len(names) else "")
        self.frames.refresh_views(force=True)

    def _on_view_tab(self, _index: int) -> None:
        self.frames.show_analysis()
        self.frames.refresh_views(force=True)

    # ------------------------------------------------------------------ display
    def _show_phase(self) -> None:
        self.w.status.set_state(self.phase)
        self._update_actions()

    def _update_actions(self) -> None:
        w, s = self.w, self.active
        if s is None:
            return
        valid = w.controls.valid and s.trainer is not None
        w.set_playing(s.playing)
        w.act_play.setEnabled(valid and (s.run_active or not s.step_active))
        w.act_step.setEnabled(valid and not s.step_active)
        w.act_step_epoch.setEnabled(valid and not s.step_active)
        w.act_stop.setEnabled(s.run_active or s.step_active)
        w.act_reset.setEnabled(w.controls.valid)
        w.act_reset_seed.setEnabled(w.controls.valid)
        for a in (w.act_save, w.act_save_run):
            a.setEnabled(s.trainer is not None)

    def _show_banner(self, kind, html, actions=()):
        self.w.banner.show_message(kind, html, list(actions))

    def _ask_dialog(self, title: str, text: str) -> bool:
        r = QtWidgets.QMessageBox.question(self.w, title, text,
                                           QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.Cancel,
                                           QtWidgets.QMessageBox.Cancel)
        return r == QtWidgets.QMessageBox.Yes

    def shutdown(self) -> None:
        """Stop every run and end their worker threads; called when the window closes."""
        if self._shut_down:
            return
        self._shut_down = True
        try:
            self.w.save_settings()
        except Exception:
            log.debug("could not save settings", exc_info=True)
        self.frames.timer.stop()
        self.gaps.stop()
        self.runs.shutdown()              # while the trainers still hold what the runs did
        self.replay.timer.stop()
        for b in self._builds.values():
            b.shutdown()
        for s in self.sessions:         # all asked to stop first, so they stop together
            s.stop()
        for s in self.sessions:
            s.close()
        self.frames.shutdown()
