"""The frame scheduler: what the window redraws of the active run, and when.

A ~30 Hz QTimer in the GUI thread reads ``trainer.latest`` / ``trainer.history`` of the session
on show and updates plots and views; workers signal only state changes. Visualisations read the
network's parameters (never write them); reads may be torn while the trainer updates, which is
harmless for a picture redrawn a moment later. Switching the session on show (``show``) configures
the views for its network and replays its epoch history, so views never know which run they show.
"""
from __future__ import annotations

import concurrent.futures
import logging
import time

from playground.core import activations
from playground.core.monitors import layer_histograms

from ._qt import QtCore
from .analysis import analyse
from .labels import ACTIVATION_LABELS, DATASET_LABELS, OUTPUT_LABELS

log = logging.getLogger(__name__)

FRAME_MS = 33            # plots and status: ~30 Hz
VIEW_PERIOD = 0.1        # decision boundary / diagram: <= 10 Hz
WEIGHTS_PERIOD = 0.5     # weight images: 2 Hz
ANALYSIS_PERIOD = 1.0    # confusion matrix / mistakes gallery: at most 1 Hz (readable, and cheap)


def layer_names(spec) -> list[str]:
    names = []
    for i in range(spec.n_layers):
        act = spec.hidden_activations[i] if i < len(spec.hidden_activations) else spec.output_activation
        label = "output" if i == spec.n_layers - 1 else f"hidden {i + 1}"
        names.append(f"{label} ({ACTIVATION_LABELS.get(act, OUTPUT_LABELS.get(act, act))})")
    return names


def configure_views(w, network, ds) -> None:
    """Plots, network views, title and controls set up for this network on this dataset."""
    spec = network.spec
    names = layer_names(spec)
    w_names = [f"W{i + 1}: {spec.sizes[i]}→{spec.sizes[i + 1]}" for i in range(spec.n_layers)]
    acts = list(spec.hidden_activations) + [spec.output_activation]
    w.plots.configure(w_names, names, [activations.get(a).value_range for a in acts])
    image = ds.image_shape is not None
    views = w.views
    views.set_mode(image)
    views.diagram.configure(spec.sizes, ["input"] + [n.split(" (")[0] for n in names])
    if image:
        views.weights.shape = tuple(ds.image_shape)
        views.weights.reset()
        views.confusion.configure(ds.n_classes, ds.name)
        views.mistakes.set_mistakes([], ds.x_test, ds.image_shape, ds.name, float("nan"))
        views.mistakes.header.setText("Misclassified test images appear here at the end of each epoch.")
    else:
        views.boundary.set_points(ds.x_train, ds.y_train, ds.x_test, ds.y_test)
        views.boundary.set_neuron(-1, -1)
    w.set_subject(f"{DATASET_LABELS.get(ds.name, ds.name)}, {'-'.join(map(str, spec.sizes))}")
    w.controls.set_train_size(len(ds.y_train))


class FrameScheduler(QtCore.QObject):
    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.w = window
        self.session = None
        self.snapshots_drawn = 0
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="nn-analysis")
        self.analysis_future = None
        self._frame = 0
        self._view_turn = False
        self._last_view = 0.0
        self._last_weights = 0.0
        self._last_analysis = 0.0
        self.replay = None     # a Network to draw instead of the session's (gui/replay.py); None: live
        self.show(None)

    def show(self, session) -> None:
        """Draw ``session`` from now on, from the start of its history."""
        self.session = session
        self.replay = None
        self._last_seq = -1
        self._hist_seq = -1
        self._n_history = 0
        self._view_seq = -1
        self.analysis_epoch = -1
        self._analysis_result = None
        self._analysis_session = self._analysis_net = None
        self._analysis_shown: set[str] = set()
        t = None if session is None else session.trainer
        self.w.status.set_accuracy(t.history[-1] if t is not None and t.history else None)
        if t is None:
            return
        configure_views(self.w, session.network, session.dataset)
        # Before any training, the activations of the initial weights: the first thing a lesson
        # on initialisation looks at (saturated sigmoids with large weights).
        hist = session.tap.histograms
        self.w.plots.set_histograms(hist[1] if hist is not None else t.probe_histograms())
        if t.latest is None:
            # A fresh trainer has no snapshot yet: clear the previous run's epoch / samples / time.
            self.w.status.set_progress(0, 0.0, 0, 0.0, 0.0, t.config.eta, t.config.epochs)
        self.refresh_views(force=True)

    def start(self) -> None:
        self.timer.start()

    def tick(self) -> None:
        """~30 Hz: pull the newest snapshot and epoch records; redraw what changed."""
        s = self.session
        t = None if s is None else s.trainer
        if t is None:
            return
        snap = t.latest
        if snap is not None and snap.seq != self._last_seq:
            self._last_seq = snap.seq
            self.w.plots.add_snapshot(snap)
            moving = s.run_active and not t.is_paused      # a paused run has no rate
            self.w.status.set_progress(snap.epoch, snap.epoch_fraction, snap.samples_seen,
                                       snap.samples_per_second if moving else 0.0, snap.elapsed,
                                       snap.eta, t.config.epochs)
            self.snapshots_drawn += 1
        hist = s.tap.histograms
        if hist is not None and hist[0] != self._hist_seq and self.replay is None:
            self._hist_seq = hist[0]
            self.w.plots.set_histograms(hist[1])
        history = t.history
        if len(history) > self._n_history:
            n_train = len(s.dataset.y_train)
            new = history[self._n_history:]      # the trainer may append meanwhile: count what was read
            for rec in new:
                self.w.plots.add_epoch(rec, rec.epoch * n_train)
            self._n_history += len(new)
            self.w.status.set_accuracy(new[-1])
        # Spread the repaint work: one plot per frame, views (<= 10 Hz) on alternate frames, so
        # no single frame repaints everything.
        self._frame += 1
        if self._frame % 2 == 0 and self._views_due():
            self.refresh_views()
        else:
            self.w.plots.redraw(budget=1)
        self._poll_analysis()

    def _views_due(self) -> bool:
        return (time.monotonic() - self._last_view >= VIEW_PERIOD and self._last_seq != self._view_seq
                and self.replay is None)

    def set_replay(self, network) -> None:
        """Draw ``network`` (a past moment of the session's run) in the network views and
        histograms instead of the live one; None: live again."""
        s = self.session
        if s is None or s.trainer is None:
            return
        self.replay = network
        self.analysis_epoch = -1
        self._analysis_result = None
        self._analysis_shown = set()
        hist = s.tap.histograms
        if network is not None:
            self.w.plots.set_histograms(layer_histograms(network, s.probe_x))
        elif hist is not None:
            self._hist_seq = hist[0]
            self.w.plots.set_histograms(hist[1])
        self.refresh_views(force=True)
        self.show_analysis()

    def refresh_views(self, force: bool = False) -> None:
        s = self.session
        if s is None or s.network is None or s.dataset is None:
            return
        net, ds = self.replay if self.replay is not None else s.network, s.dataset
        now = time.monotonic()
        if not force and (now - self._last_view < VIEW_PERIOD or self._last_seq == self._view_seq):
            return
        self._last_view = now
        self._view_seq = self._last_seq
        views = self.w.views
        try:
            if ds.image_shape is None:
                # Boundary and diagram take turns (each ~5 Hz), so one frame repaints only one.
                self._view_turn = not self._view_turn
                if force or self._view_turn:
                    views.boundary.refresh(net)
                if (force or not self._view_turn) and views.diagram.drawable:
                    # The trainer's probe rows: the diagram and the histograms describe the same samples.
                    _, acts = net.forward_all(s.probe_x)
                    views.diagram.set_params(net.weights, net.biases, [a.mean(axis=0) for a in acts])
            else:
                # Only the tab on show is redrawn (a tab brought forward is brought up to date).
                if views.weights.isVisible() and (force or now - self._last_weights > WEIGHTS_PERIOD):
                    self._last_weights = now
                    views.weights.set_weights(net.weights[0])
                if views.diagram.drawable and views.diagram.isVisible():
                    views.diagram.set_params(net.weights, net.biases)
                analysis_shown = views.confusion.isVisible() or views.mistakes.isVisible()
                if analysis_shown and self._n_history != self.analysis_epoch and (
                        force or now - self._last_analysis >= ANALYSIS_PERIOD):
                    self._start_analysis()
        except (FloatingPointError, ValueError) as e:     # a torn read can be odd; skip this frame
            log.debug("view refresh skipped: %s", e)

    def _start_analysis(self) -> None:
        if self.analysis_future is not None:
            return
        self._last_analysis = time.monotonic()
        self.analysis_epoch = self._n_history
        s = self.session
        ds = s.dataset
        # Network.forward keeps one evaluation workspace per thread: safe beside the trainer.
        net = self.replay if self.replay is not None else s.network
        self.analysis_future = self._executor.submit(analyse, net, ds.x_test, ds.y_test, ds.n_classes)
        self._analysis_session, self._analysis_net = s, net

    def _poll_analysis(self) -> None:
        f = self.analysis_future
        if f is None or not f.done():
            return
        self.analysis_future = None
        # Let go of them at once: a run closed meanwhile must not stay alive (with its data) here.
        session, net = self._analysis_session, self._analysis_net
        self._analysis_session = self._analysis_net = None
        try:
            res = f.result()
        except Exception as e:
            log.debug("analysis failed: %s", e)
            return
        if session is not self.session:      # a run no longer on show
            return
        if net is not (self.replay if self.replay is not None else self.session.network):
            self.analysis_epoch = -1                         # another moment on show now: redo it
            if self.w.views.confusion.isVisible() or self.w.views.mistakes.isVisible():
                self._start_analysis()
            return
        self._analysis_result = res
        self._analysis_shown = set()
        self.show_analysis()

    def show_analysis(self) -> None:
        """The newest test-set analysis, on whichever of its two tabs is on show (once each)."""
        s = self.session
        res, ds = self._analysis_result, None if s is None else s.dataset
        if res is None or ds is None or ds.image_shape is None or res.confusion.shape[0] != ds.n_classes:
            return
        views = self.w.views
        if "confusion" not in self._analysis_shown and views.confusion.isVisible():
            self._analysis_shown.add("confusion")
            views.confusion.set_matrix(res.confusion)
        if "mistakes" not in self._analysis_shown and views.mistakes.isVisible():
            self._analysis_shown.add("mistakes")
            views.mistakes.set_mistakes(res.mistakes, ds.x_test, ds.image_shape, ds.name, res.accuracy)

    def shutdown(self) -> None:
        self.timer.stop()
        self._executor.shutdown(wait=True, cancel_futures=True)
