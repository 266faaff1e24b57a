"""The Controller: the one place that connects the widgets to the engine and the worker threads.

Data flow: the worker threads run the Trainer; a ~30 Hz QTimer in the GUI thread reads
``trainer.latest`` / ``trainer.history`` and updates plots and views. Workers signal only state
changes. Visualisations read the network's parameters (never write them); reads may be torn while
the trainer updates, which is harmless for a picture redrawn a moment later.
"""
from __future__ import annotations

import concurrent.futures
import logging
import time
from pathlib import Path

import numpy as np

from playground.core import activations
from playground.core.errors import DataError, PlaygroundError, SpecError

from ._qt import QtCore, QtWidgets
from . import datafolders, fileload, gcpolicy
from . import settings as st
from .analysis import analyse
from .builder import BackgroundBuild, is_big
from .controls import DEFAULTS, LIVE_KEYS
from .datadialog import SYSTEM_FASHION, MissingDataDialog
from .dataset_defaults import DatasetDefaults
from .gapmeter import GapMeter
from .labels import ACTIVATION_LABELS, DATASET_LABELS, IMAGE_DATASETS, OUTPUT_LABELS
from .mainwindow import DEFAULT_SPEED, SPEEDS
from .worker import SnapshotTap, TrainingWorker, is_warm

log = logging.getLogger(__name__)

FRAME_MS = 33            # plots and status: ~30 Hz
VIEW_PERIOD = 0.1        # decision boundary / diagram: <= 10 Hz
WEIGHTS_PERIOD = 0.5     # weight images: 2 Hz
ANALYSIS_PERIOD = 1.0    # confusion matrix / mistakes gallery: at most 1 Hz (readable, and cheap)
DATA_KEYS = ("dataset", "noise", "test_ratio", "seed")


class CoreBackend:
    """How the controller makes engine objects. Tests may substitute a subclass."""

    probe_every = 0.25

    def load_dataset(self, name, *, noise, test_ratio, seed, data_dir=None, allow_download=False, progress=None):
        from playground.core.data.dataset import load_dataset
        return load_dataset(name, data_dir=data_dir or None, noise=noise, test_ratio=test_ratio, seed=seed,
                            allow_download=allow_download, progress=progress)

    def network(self, spec, seed):
        from playground.core.network import Network
        return Network(spec, seed=seed)

    def trainer(self, network, dataset, config):
        from playground.core.trainer import Trainer
        return Trainer(network, dataset, config, probe_every=self.probe_every)

    def save_model(self, trainer, path):
        return trainer.save(path, dataset_name=trainer.dataset.name)

    def load_model(self, path, progress=None):
        from playground.core.persist import load_model
        return load_model(path, progress=progress)

    def trainer_from_saved(self, loaded, dataset, config):
        from playground.core.trainer import Trainer
        return Trainer.from_saved(loaded, dataset, config, probe_every=self.probe_every)


class Controller(QtCore.QObject):
    sigRun = QtCore.Signal()
    sigPrewarm = QtCore.Signal()
    sigStep = QtCore.Signal(int)
    sigStepEpoch = QtCore.Signal()
    sigPhaseChanged = QtCore.Signal(str)     # for tests and the selftest

    def __init__(self, window, backend: CoreBackend | None = None, *, restore_settings: bool = True,
                 ask=None):
        super().__init__(window)
        self.w = window
        window.controller = self
        self.backend = backend or CoreBackend()
        # ask(title, text) -> bool; tests replace it to answer the reset question without a dialog.
        self.ask = ask or self._ask_dialog
        self.dataset = None
        self.network = None
        self.trainer = None
        self.applied: dict = {}
        self.phase = "idle"
        self.run_active = False
        self.step_active = False
        self.error: str | None = None
        self.snapshots_drawn = 0
        self._last_seq = -1
        self._n_history = 0
        self._last_view = 0.0
        self._last_weights = 0.0
        self._view_seq = -1
        self._analysis_future = None
        self._analysis_epoch = -1
        self._last_analysis = 0.0
        self._analysis_result = None
        self._analysis_shown: set[str] = set()
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="nn-analysis")
        self._hover = (-1, -1)
        self._shut_down = False
        self._gc = gcpolicy.install()
        self._gc.watch(self)

        # Two worker threads: one runs Trainer.run, one does Step (so Step works while a run is paused).
        self.runner_thread = QtCore.QThread(self)
        self.runner_thread.setObjectName("nn-runner")
        self.runner = TrainingWorker(self.backend.trainer)
        self.runner.moveToThread(self.runner_thread)
        self.stepper_thread = QtCore.QThread(self)
        self.stepper_thread.setObjectName("nn-stepper")
        self.stepper = TrainingWorker(self.backend.trainer)
        self.stepper.moveToThread(self.stepper_thread)
        self.sigRun.connect(self.runner.run)
        self.sigPrewarm.connect(self.runner.prewarm)
        self.runner.sigWarmed.connect(self._on_warmed)
        self.sigStep.connect(self.stepper.step_batches)
        self.sigStepEpoch.connect(self.stepper.step_epoch)
        for wk in (self.runner, self.stepper):
            wk.sigStateChanged.connect(self._on_worker_state)
            wk.sigDiverged.connect(self._on_diverged)
            wk.sigError.connect(self._on_error)
        self.runner.sigFinished.connect(self._on_run_finished)
        self.stepper.sigStepped.connect(self._on_stepped)
        self.runner_thread.start()
        self.stepper_thread.start()

        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self.gaps = GapMeter(self)
        self.defaults = DatasetDefaults(window)
        self.build = BackgroundBuild(self)

        self._wire()
        if restore_settings:
            self._restore_settings()
        self.rebuild(ask=False)
        self.timer.start()
        self.gaps.start()
        # Kernels load in the background while the user looks at the window (a first compile,
        # with no numba cache yet, takes seconds); Play queued meanwhile starts right after.
        self._prewarming = self.trainer is not None and not is_warm(self.trainer.network)
        if self._prewarming:
            self.sigPrewarm.emit()
            QtCore.QTimer.singleShot(500, self._say_prewarming)

    # ------------------------------------------------------------------ wiring
    def _wire(self) -> None:
        w = self.w
        w.act_play.triggered.connect(self.play_pause)
        w.act_step.triggered.connect(lambda: self.step(1))
        w.act_step_epoch.triggered.connect(self.step_epoch)
        w.act_reset.triggered.connect(lambda: self.reset(new_seed=False))
        w.act_reset_seed.triggered.connect(lambda: self.reset(new_seed=True))
        w.act_stop.triggered.connect(self.stop)
        # Lambdas: `triggered` passes `checked`, which would land in the dialogs' path argument.
        w.act_save.triggered.connect(lambda: self.save_model_dialog())
        w.act_open.triggered.connect(lambda: self.open_model_dialog())
        w.act_export_png.triggered.connect(lambda: self.export_plots_dialog("png"))
        w.act_export_svg.triggered.connect(lambda: self.export_plots_dialog("svg"))
        w.act_export_csv.triggered.connect(lambda: self.export_csv_dialog())
        w.act_data_dir.triggered.connect(self.choose_data_dir)
        w.act_defaults.triggered.connect(self.restore_defaults)
        c = w.controls
        c.sigStructuralChanged.connect(self._on_structural)
        c.sigLiveChanged.connect(self._on_live)
        c.sigValidityChanged.connect(lambda _: self._update_actions())
        c.sigRestoreDefaults.connect(self.restore_defaults)
        w.speed.currentIndexChanged.connect(self._on_speed)
        w.banner.sigAction.connect(self._on_banner_action)
        w.views.diagram.sigNeuronHovered.connect(self._on_neuron_hovered)
        w.views.tabs.currentChanged.connect(self._on_view_tab)

    # ------------------------------------------------------------------ building
    def rebuild(self, ask: bool = True, new_seed: bool = False) -> bool:
        """Make a fresh network + trainer from the controls (after stopping any run)."""
        c = self.w.controls
        if not c.valid:
            self._update_actions()
            return False
        if not self._stop_and_wait():
            return False
        state = c.state()
        if new_seed:
            import random
            state["seed"] = random.randrange(1, 1_000_000)
            c.set_state(state)
        try:
            spec, cfg = c.spec(), c.config()
        except SpecError as e:
            self._show_banner("error", str(e))
            return False
        # A new seed means new weights; the toy points on screen stay (what a lesson expects).
        keys = [k for k in DATA_KEYS if not (new_seed and k == "seed")]
        need_data = self.dataset is None or any(self.applied.get(k) != state[k] for k in keys)
        old_dataset = self.dataset
        if need_data:
            ds = self._load_dataset(state)
            if ds is None:
                # Keep the previous dataset (and the controls that describe it).
                if self.applied:
                    c.set_state(self.applied)
                self._update_actions()
                return False
            self.dataset = ds
        same = self.network is not None and self.network.spec == spec
        if ask and not same and not self.build.confirm(spec, cfg, self.dataset):
            self.dataset = old_dataset             # the old network and its data stay as they were
            c.set_state(self.applied)
            self._set_phase(self.phase)
            return False
        self.build.builder.cancel()
        if is_big(spec):                   # seconds of allocation: never in the GUI thread
            self.build.start(spec, cfg)
            return True
        try:
            self.network = self.backend.network(spec, seed=cfg.seed)
            self.trainer = self.backend.trainer(self.network, self.dataset, cfg)
        except PlaygroundError as e:
            self._show_banner("error", f"Cannot build this network: {e}")
            self.trainer = None
            self._update_actions()
            return False
        self.applied = c.state()
        self._attach_trainer()
        return True

    def _attach_trainer(self, histograms=None) -> None:
        self.tap = SnapshotTap(self.trainer)
        self.trainer.on_snapshot = self.tap
        self._hist_seq = -1
        self.trainer.set_throttle(SPEEDS[self.w.speed_key()][1])
        self.runner.set_trainer(self.trainer)
        self.stepper.set_trainer(self.trainer)
        self._last_seq = -1
        self._n_history = 0
        self._view_seq = -1
        self._analysis_epoch = -1
        self._analysis_result = None
        self.error = None
        self.w.banner.hide()
        self._configure_views()
        # Before any training, the activations of the initial weights: the first thing a lesson
        # on initialisation looks at (saturated sigmoids with large weights).
        self.w.plots.set_histograms(self.trainer.probe_histograms() if histograms is None else histograms)
        if self.trainer.latest is None:
            # A fresh trainer has no snapshot yet: clear the previous run's epoch / samples / time.
            cfg = self.trainer.config
            self.w.status.set_progress(0, 0.0, 0, 0.0, 0.0, cfg.eta, cfg.epochs)
        self._set_phase("ready")
        self._refresh_views(force=True)
        # The old network's plots and arrays are garbage now and nothing animates yet: the
        # moment for a full collection, so none is needed mid-run.
        self._gc.settle()

    def _layer_names(self):
        spec = self.network.spec
        names = []
        for i in range(spec.n_layers):
            act = spec.hidden_activations[i] if i < len(spec.hidden_activations) else spec.output_activation
            label = "output" if i == spec.n_layers - 1 else f"hidden {i + 1}"
            names.append(f"{label} ({ACTIVATION_LABELS.get(act, OUTPUT_LABELS.get(act, act))})")
        return names

    def _configure_views(self) -> None:
        spec = self.network.spec
        ds = self.dataset
        names = self._layer_names()
        w_names = [f"W{i + 1}: {spec.sizes[i]}→{spec.sizes[i + 1]}" for i in range(spec.n_layers)]
        acts = list(spec.hidden_activations) + [spec.output_activation]
        self.w.plots.configure(w_names, names, [activations.get(a).value_range for a in acts])
        image = ds.image_shape is not None
        views = self.w.views
        views.set_mode(image)
        unit_names = ["input"] + [n.split(" (")[0] for n in names]
        views.diagram.configure(spec.sizes, unit_names)
        if image:
            views.weights.shape = tuple(ds.image_shape)
            views.weights.reset()
            views.confusion.configure(ds.n_classes, ds.name)
            views.mistakes.set_mistakes([], ds.x_test, ds.image_shape, ds.name, float("nan"))
            views.mistakes.header.setText("Misclassified test images appear here at the end of each epoch.")
        else:
            views.boundary.set_points(ds.x_train, ds.y_train, ds.x_test, ds.y_test)
            views.boundary.set_neuron(-1, -1)
        title = DATASET_LABELS.get(ds.name, ds.name)
        self.w.set_subject(f"{title}, {'-'.join(map(str, spec.sizes))}")
        self.w.controls.set_train_size(len(ds.y_train))
        self._probe_x = ds.x_test[:500] if len(ds.x_test) else ds.x_train[:500]

    def _load_dataset(self, state):
        name = state["dataset"]
        data_dir = datafolders.remembered(name)
        kw = dict(noise=state["noise"], test_ratio=state["test_ratio"], seed=state["seed"])
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.WaitCursor)
        try:
            self.w.status.set_state("loading")
            return self.backend.load_dataset(name, data_dir=data_dir, allow_download=False, **kw)
        except DataError as e:
            if name not in IMAGE_DATASETS or name == "my-digits":    # nothing to download or locate
                self._show_banner("error", f"Cannot make the dataset: {e}")
                return None
            message = str(e)
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        return self._missing_data(name, message, kw, data_dir)

    def _missing_data(self, name, message, kw, data_dir):
        title = DATASET_LABELS.get(name, name)
        dlg = MissingDataDialog(
            title, message,
            download=lambda progress: self.backend.load_dataset(name, data_dir=data_dir, allow_download=True,
                                                                progress=progress, **kw),
            load_folder=lambda folder: self.backend.load_dataset(name, data_dir=folder, allow_download=False, **kw),
            offer_fashion=name == "mnist" and SYSTEM_FASHION.is_dir(), parent=self.w)
        self.missing_dialog = dlg           # tests reach it here
        dlg.exec()
        self.missing_dialog = None
        if dlg.choice == "folder" and dlg.folder:
            datafolders.remember(name, dlg.folder)
        if dlg.dataset is not None:
            return dlg.dataset
        if dlg.choice == "fashion-mnist":
            s = self.w.controls.state()
            s["dataset"] = "fashion-mnist"
            self.w.controls.set_state(s)
            return self._load_dataset(self.w.controls.state())
        return None

    # ------------------------------------------------------------------ commands
    def play_pause(self) -> None:
        t = self.trainer
        if t is None:
            return
        if self.run_active:
            if t.is_paused:
                self.w.banner.hide() if self.w.banner.kind == "info" else None
                t.resume()
                self._set_phase("training")
            else:
                t.pause()
                self._set_phase("paused")
            return
        if self.step_active or not self.w.controls.valid:
            return
        if self.phase == "diverged":
            self.w.banner.hide()
        t.resume()
        self.run_active = True
        # While the kernels still load, the run waits behind them: say so.
        self._set_phase("compiling" if self._prewarming else "training")
        self.sigRun.emit()

    def step(self, n: int = 1) -> None:
        if self._begin_step():
            self.sigStep.emit(int(n))

    def step_epoch(self) -> None:
        if self._begin_step():
            self.sigStepEpoch.emit()

    def _begin_step(self) -> bool:
        """Pause a running trainer so a Step trains exactly what it says; False if no step can start."""
        if self.trainer is None or self.step_active or not self.w.controls.valid:
            return False
        if self.run_active and not self.trainer.is_paused:
            self.trainer.pause()
        self.step_active = True
        self._set_phase("paused")
        return True

    def stop(self) -> None:
        if self.trainer is not None and (self.run_active or self.step_active):
            self.trainer.request_stop()

    def reset(self, new_seed: bool = False) -> None:
        self.rebuild(new_seed=new_seed)

    def _stop_and_wait(self, timeout_ms: int = 10000) -> bool:
        """Stop any run or step and wait (processing events) until the workers are idle."""
        if self.trainer is not None and (self.run_active or self.step_active):
            self.trainer.request_stop()
            deadline = time.monotonic() + timeout_ms / 1000
            while (self.run_active or self.step_active) and time.monotonic() < deadline:
                QtWidgets.QApplication.processEvents(QtCore.QEventLoop.AllEvents, 20)
                time.sleep(0.002)
            if self.run_active or self.step_active:
                self._show_banner("error", "Training did not stop in time; try again.")
                return False
        return True

    # ------------------------------------------------------------------ control changes
    def _on_structural(self) -> None:
        c = self.w.controls
        self._save_controls()
        if not c.valid:
            self._update_actions()
            return
        # A finished run's curves are worth as much as a paused one's: ask in every case.
        if self.run_active or self.step_active or self._has_progress():
            if not self.ask("Reset the network?",
                            "This change needs a new network, so the training so far will be lost.\n\n"
                            "Reset now?"):
                c.set_state(self.applied)
                return
        if self.rebuild():
            self.defaults.announce(self.applied)

    def _has_progress(self) -> bool:
        return self.trainer is not None and self.trainer.step > 0

    def _on_live(self, values: dict) -> None:
        self._save_controls()
        if self.trainer is None:
            return
        old = {k: self.applied.get(k) for k in LIVE_KEYS}
        try:
            self.trainer.set_config(**{k: values[k] for k in LIVE_KEYS})
            self.applied.update({k: values[k] for k in LIVE_KEYS})
        except SpecError as e:
            self.w.controls.training_error.show_message(str(e))
        else:
            self.w.plots.mark_live_change(old, values, self.trainer.latest)   # "η 0.1→0.01" on the curves

    def _on_speed(self, _index: int = -1) -> None:
        key = self.w.speed_key()
        st.set_value("training/speed", key)
        if self.trainer is not None:
            self.trainer.set_throttle(SPEEDS[key][1])      # live: a waiting loop wakes up at once

    # ------------------------------------------------------------------ worker reports
    def _on_worker_state(self, state: str) -> None:
        if state == "compiling":
            self._set_phase("compiling")
        elif state == "training" and self.run_active:
            self._set_phase("paused" if self.trainer.is_paused else "training")

    def _say_prewarming(self) -> None:
        if self._prewarming and not self._shut_down:       # a first start compiles: seconds, once
            self.w.statusBar().showMessage("Preparing the training engine (only the first start takes this long)…")

    def _on_warmed(self) -> None:
        self._prewarming = False
        self.w.statusBar().clearMessage()

    def _on_run_finished(self, state: str) -> None:
        self.run_active = False
        self.tick()
        self._refresh_views(force=True)     # the final weights, not the last ones a frame caught
        if state == "stopped" and self.step_active:
            return
        self._set_phase({"early_stopped": "done"}.get(state, state))

    def _on_stepped(self) -> None:
        self.step_active = False
        self.tick()
        self._refresh_views(force=True)
        if self.phase not in ("diverged", "error"):
            self._set_phase("paused")

    def _on_diverged(self, message: str) -> None:
        self._set_phase("diverged")
        eta = self.w.controls.eta.value()
        if message.startswith("Training diverged"):
            message = "<b>Training diverged</b>" + message[len("Training diverged"):]
        else:
            message = f"<b>Training diverged.</b> {message}"
        self._show_banner("error", message,
                          [("lower_eta", f"Lower learning rate ÷10 (η = {eta / 10:g})"), ("reset", "Reset")])

    def _on_error(self, text: str) -> None:
        self.error = text
        log.error("worker error: %s", text)
        first = text.splitlines()[0] if text else "unknown error"
        self._show_banner("error", f"<b>Training stopped with an error:</b> {first}", [("reset", "Reset")])
        self._set_phase("error")

    def _on_banner_action(self, key: str) -> None:
        if key == "lower_eta":
            c = self.w.controls
            c.eta.setValue(max(c.eta.value() / 10, c.eta.minimum() or 1e-6))
            self.w.banner.show_message("info", f"Learning rate lowered to η = {c.eta.value():g}. Press Play to "
                                       "continue from the last good weights.")
        elif key == "reset":
            self.reset()

    def _on_neuron_hovered(self, layer: int, unit: int) -> None:
        self._hover = (layer, unit)
        if self.dataset is None or self.dataset.image_shape is not None:
            return
        names = self.w.views.diagram.names
        self.w.views.boundary.set_neuron(layer, unit, names[layer] if 0 <= layer < len(names) else "")
        self._refresh_views(force=True)

    # ------------------------------------------------------------------ display
    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.sigPhaseChanged.emit(phase)
        self.w.status.set_state(phase)
        self._update_actions()

    def _update_actions(self) -> None:
        w = self.w
        valid = w.controls.valid and self.trainer is not None
        playing = self.run_active and self.trainer is not None and not self.trainer.is_paused
        w.set_playing(playing)
        w.act_play.setEnabled(valid and (self.run_active or not self.step_active))
        w.act_step.setEnabled(valid and not self.step_active)
        w.act_step_epoch.setEnabled(valid and not self.step_active)
        w.act_stop.setEnabled(self.run_active or self.step_active)
        w.act_reset.setEnabled(w.controls.valid)
        w.act_reset_seed.setEnabled(w.controls.valid)
        w.act_save.setEnabled(self.trainer is not None)

    def _show_banner(self, kind, html, actions=()):
        self.w.banner.show_message(kind, html, list(actions))

    def tick(self) -> None:
        """~30 Hz: pull the newest snapshot and epoch records; redraw what changed."""
        t = self.trainer
        if t is None:
            return
        snap = t.latest
        if snap is not None and snap.seq != self._last_seq:
            self._last_seq = snap.seq
            self.w.plots.add_snapshot(snap)
            cfg = t.config
            moving = self.run_active and not t.is_paused      # a paused run has no rate
            self.w.status.set_progress(snap.epoch, snap.epoch_fraction, snap.samples_seen,
                                       snap.samples_per_second if moving else 0.0, snap.elapsed,
                                       snap.eta, cfg.epochs)
            self.snapshots_drawn += 1
            if (self.run_active and snap.state in ("training", "paused") and snap.state != self.phase
                    and self.phase != "compiling"):
                self._set_phase(snap.state)
        hist = self.tap.histograms
        if hist is not None and hist[0] != self._hist_seq:
            self._hist_seq = hist[0]
            self.w.plots.set_histograms(hist[1])
        history = t.history
        if len(history) > self._n_history:
            n_train = len(self.dataset.y_train)
            for rec in history[self._n_history:]:
                self.w.plots.add_epoch(rec, rec.epoch * n_train)
            self._n_history = len(history)
        # Spread the repaint work: one plot per frame, views (<= 10 Hz) on alternate frames, so
        # no single frame repaints everything.
        self._frame += 1
        if self._frame % 2 == 0 and self._views_due():
            self._refresh_views()
        else:
            self.w.plots.redraw(budget=1)
        self._poll_analysis()

    _frame = 0

    def _views_due(self) -> bool:
        return time.monotonic() - self._last_view >= VIEW_PERIOD and self._last_seq != self._view_seq

    def _refresh_views(self, force: bool = False) -> None:
        net, ds = self.network, self.dataset
        if net is None or ds is None:
            return
        now = time.monotonic()
        if not force and (now - self._last_view < VIEW_PERIOD or self._last_seq == self._view_seq):
            return
        self._last_view = now
        self._view_seq = self._last_seq
        views = self.w.views
        try:
            if ds.image_shape is None:
                # Boundary and diagram take turns (each ~5 Hz), so one frame repaints only one.
                self._view_turn = not getattr(self, "_view_turn", False)
                if force or self._view_turn:
                    views.boundary.refresh(net)
                if (force or not self._view_turn) and views.diagram.drawable:
                    _, acts = net.forward_all(self._probe_x)
                    views.diagram.set_params(net.weights, net.biases, [a.mean(axis=0) for a in acts])
            else:
                # Only the tab on show is redrawn (a tab brought forward is brought up to date).
                if views.weights.isVisible() and (force or now - self._last_weights > WEIGHTS_PERIOD):
                    self._last_weights = now
                    views.weights.set_weights(net.weights[0])
                if views.diagram.drawable and views.diagram.isVisible():
                    views.diagram.set_params(net.weights, net.biases)
                analysis_shown = views.confusion.isVisible() or views.mistakes.isVisible()
                if analysis_shown and self._n_history != self._analysis_epoch and (
                        force or now - self._last_analysis >= ANALYSIS_PERIOD):
                    self._start_analysis()
        except (FloatingPointError, ValueError) as e:     # a torn read can be odd; skip this frame
            log.debug("view refresh skipped: %s", e)

    def _start_analysis(self) -> None:
        if self._analysis_future is not None:
            return
        self._last_analysis = time.monotonic()
        self._analysis_epoch = self._n_history
        ds, net = self.dataset, self.network
        self._analysis_future = self._executor.submit(analyse, _ForwardAllAdapter(net), ds.x_test, ds.y_test,
                                                      ds.n_classes)

    def _poll_analysis(self) -> None:
        f = self._analysis_future
        if f is None or not f.done():
            return
        self._analysis_future = None
        try:
            res = f.result()
        except Exception as e:
            log.debug("analysis failed: %s", e)
            return
        self._analysis_result = res
        self._analysis_shown = set()
        self._show_analysis()

    def _show_analysis(self) -> None:
        """The newest test-set analysis, on whichever of its two tabs is on show (once each)."""
        res, ds = self._analysis_result, self.dataset
        if res is None or ds is None or ds.image_shape is None or res.confusion.shape[0] != ds.n_classes:
            return
        views = self.w.views
        if "confusion" not in self._analysis_shown and views.confusion.isVisible():
            self._analysis_shown.add("confusion")
            views.confusion.set_matrix(res.confusion)
        if "mistakes" not in self._analysis_shown and views.mistakes.isVisible():
            self._analysis_shown.add("mistakes")
            views.mistakes.set_mistakes(res.mistakes, ds.x_test, ds.image_shape, ds.name, res.accuracy)

    def _on_view_tab(self, _index: int) -> None:
        self._show_analysis()
        self._refresh_views(force=True)

    # ------------------------------------------------------------------ files
    def save_model_dialog(self, path: str | None = None) -> bool:
        if self.trainer is None:
            return False
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self.w, "Save model", st.value("files/last", ""),
                                                            "Models (*.json *.npz)")
            if not path:
                return False
        try:
            # Trainer.save takes the trainer's lock, so it waits for the current chunk: no pause needed.
            self.backend.save_model(self.trainer, path)
        except (PlaygroundError, OSError) as e:
            QtWidgets.QMessageBox.warning(self.w, "Could not save the model", str(e))
            return False
        st.set_value("files/last", str(Path(path).parent))
        self.w.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def open_model_dialog(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(self.w, "Open model", st.value("files/last", ""),
                                                            "Models (*.json *.npz);;All files (*)")
            if not path:
                return False
        try:
            loaded = fileload.load_model(self.w, self.backend, path)
            if loaded is None:          # cancelled
                return False
        except (PlaygroundError, OSError, ValueError) as e:
            # Nothing changed: the current network keeps training / stays as it was.
            QtWidgets.QMessageBox.warning(self.w, "Could not open the model", f"{path}\n\n{e}")
            return False
        if not self._stop_and_wait():
            return False
        spec = loaded.network.spec
        dataset_name = getattr(loaded, "dataset_name", None) or self.applied.get("dataset")
        state = self.w.controls.state()
        if dataset_name in DATASET_LABELS:
            state["dataset"] = dataset_name
        cfg = getattr(loaded, "config", None)
        if cfg is not None:
            state.update(eta=cfg.eta, batch_size=cfg.batch_size, l2=cfg.l2, l1=cfg.l1, dropout=cfg.dropout,
                         optimizer=cfg.optimizer, seed=cfg.seed)
        self.w.controls.set_state(state)
        self.w.controls.set_spec(spec)
        state = self.w.controls.state()
        if self.dataset is None or any(self.applied.get(k) != state[k] for k in DATA_KEYS):
            ds = self._load_dataset(state)
            if ds is None:
                self.w.controls.set_state(self.applied)
                return False
            self.dataset = ds
        try:
            cfg = self.w.controls.config()
            trainer = self.backend.trainer_from_saved(loaded, self.dataset, cfg)
        except PlaygroundError as e:
            QtWidgets.QMessageBox.warning(self.w, "Could not open the model", f"{path}\n\n{e}")
            self.w.controls.set_state(self.applied)
            return False
        self.network, self.trainer = trainer.network, trainer
        self.applied = self.w.controls.state()
        self._attach_trainer()
        st.set_value("files/last", str(Path(path).parent))
        self.w.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def export_plots_dialog(self, fmt: str, path: str | None = None):
        from .export import export_plots
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self.w, f"Export plots as {fmt.upper()}",
                                                            str(Path(st.value("files/last", "")) / f"plots.{fmt}"),
                                                            f"{fmt.upper()} (*.{fmt})")
            if not path:
                return []
        try:
            written = export_plots(self.w.plots.plot_widgets(), path, fmt)
        except Exception as e:
            QtWidgets.QMessageBox.warning(self.w, "Could not export the plots", str(e))
            return []
        self.w.statusBar().showMessage(f"Wrote {len(written)} files next to {path}", 5000)
        return written

    def export_csv_dialog(self, path: str | None = None):
        from .export import export_metrics_csv
        if self.trainer is None:
            return None
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(
                self.w, "Export metrics", str(Path(st.value("files/last", "") or Path.home()) / "metrics.csv"),
                "CSV (*.csv)")
            if not path:
                return None
        try:
            out = export_metrics_csv(list(self.trainer.history), path)
        except OSError as e:
            QtWidgets.QMessageBox.warning(self.w, "Could not export the metrics", str(e))
            return None
        self.w.statusBar().showMessage(f"Wrote {out}", 5000)
        return out

    def choose_data_dir(self) -> None:
        datafolders.choose(self.w, self.w.controls.state()["dataset"])

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        state = st.load_controls()
        if state:
            self.w.controls.set_state(state)
        geo = st.value("window/geometry")
        if geo is not None:
            self.w.restoreGeometry(geo)
        size = st.value("window/size")
        if isinstance(size, QtCore.QSize) and size.isValid():
            # Some platforms (offscreen, some Wayland compositors) ignore the geometry's size. A size
            # saved on a big monitor must not overflow a 1280 x 800 projector: clamp to the screen.
            from .app import first_size
            self.w.resize(first_size(self.w, cap=size))
        win = st.value("window/state")
        if win is not None:
            self.w.restoreState(win)
        sp = st.value("window/splitter")
        if sp is not None:
            self.w.splitter.restoreState(sp)
        speed = st.value("training/speed")
        if speed in SPEEDS:
            self.w.set_speed(speed)
        x_axis = st.value("plots/x_axis")
        if x_axis in ("0", "1", 0, 1):
            self.w.plots.x_axis.setCurrentIndex(int(x_axis))

    def _save_controls(self) -> None:
        st.save_controls(self.w.controls.state())

    def save_settings(self) -> None:
        self._save_controls()
        st.set_value("window/geometry", self.w.saveGeometry())
        st.set_value("window/size", self.w.size())
        st.set_value("window/state", self.w.saveState())
        st.set_value("window/splitter", self.w.splitter.saveState())
        st.set_value("plots/x_axis", self.w.plots.x_axis.currentIndex())
        st.set_value("training/speed", self.w.speed_key())

    def restore_defaults(self) -> None:
        if (self.run_active or self._has_progress()) and not self.ask(
                "Restore defaults?", "Restoring the default settings resets the network. Continue?"):
            return
        st.clear_controls()
        self.w.controls.set_state(DEFAULTS)
        self.w.plots.x_axis.setCurrentIndex(0)
        self.w.set_speed(DEFAULT_SPEED)
        self.rebuild()

    # ------------------------------------------------------------------ misc
    def _ask_dialog(self, title: str, text: str) -> bool:
        r = QtWidgets.QMessageBox.question(self.w, title, text,
                                           QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.Cancel,
                                           QtWidgets.QMessageBox.Cancel)
        return r == QtWidgets.QMessageBox.Yes

    def shutdown(self) -> None:
        """Stop training and end both worker threads; called when the window closes."""
        if self._shut_down:
            return
        self._shut_down = True
        try:
            self.save_settings()
        except Exception:
            log.debug("could not save settings", exc_info=True)
        self.timer.stop()
        self.gaps.stop()
        self.build.shutdown()
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
        self._executor.shutdown(wait=True, cancel_futures=True)


class _ForwardAllAdapter:
    """Analysis needs outputs; Network.forward shares a workspace with the trainer's evaluation,
    so from other threads we use forward_all (plain numpy, its own temporaries, reads only)."""

    def __init__(self, net):
        self.net = net

    def forward(self, x):
        out = None
        for start in range(0, len(x), 2000):
            _, acts = self.net.forward_all(x[start:start + 2000])
            out = acts[-1] if out is None else np.concatenate([out, acts[-1]])
        return out if out is not None else np.zeros((0, self.net.spec.sizes[-1]))
