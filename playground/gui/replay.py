"""Replay: a time slider under the Train page's plots that scrubs back to any checkpoint of the
run on show (core.checkpoints). The decision boundary, diagram, histograms, weight images and
confusion matrix redraw from a scratch Network holding that checkpoint's parameters (the frame
scheduler draws it instead of the live one), and the line plots mark the moment with a vertical
line. "Live" (or the slider's right end) returns; "Continue from here" starts a new run, a
branch, from that checkpoint, beside the original.

The slider follows the store by polling (REFRESH_MS): checkpoints arrive from the training
thread, and a session or trainer change (another run on show, a Reset) puts it back to live.
"""
from __future__ import annotations

import logging

from playground.core.errors import PlaygroundError
from playground.core.network import Network
from playground.core.persist import LoadedModel

from ._qt import QtCore, QtWidgets, pg

log = logging.getLogger(__name__)

REFRESH_MS = 250


class ReplayBar(QtWidgets.QWidget):
    """Only widgets; Replay drives them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(4, 0, 4, 2)
        outer.setSpacing(0)
        lay = QtWidgets.QHBoxLayout()
        outer.addLayout(lay)
        title = QtWidgets.QLabel("<b>Replay</b>")
        self.slider = QtWidgets.QSlider(QtCore.Qt.Horizontal)
        self.slider.setAccessibleName("Replay: moment of the run on show")
        self.slider.setToolTip("Drag back to see the network at an earlier moment of this run; the right end is live. "
                               "Keys: ← → one checkpoint, Home the initial weights, End live.")
        self.slider.setPageStep(1)
        self.slider.setTracking(True)
        self.slider.setMinimumWidth(60)
        self.live = QtWidgets.QPushButton("Live")
        self.live.setToolTip("Back to the run as it trains now")
        self.branch = QtWidgets.QPushButton("Continue from here")
        self.branch.setToolTip("Start a new run from this moment's parameters, beside this one")
        self.info = QtWidgets.QLabel("live")
        # Clipped rather than widening the plots' column on a 1280-pixel screen.
        self.info.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        title.setBuddy(self.slider)
        # The slider has a row of its own: the plots' column is narrow on a 1280-pixel screen.
        lay.addWidget(title)
        lay.addWidget(self.slider, 1)
        row = QtWidgets.QHBoxLayout()
        outer.addLayout(row)
        for wdg, stretch in ((self.info, 1), (self.live, 0), (self.branch, 0)):
            row.addWidget(wdg, stretch)
        self.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Fixed)


class Replay(QtCore.QObject):
    sigMoment = QtCore.Signal(object)      # the Checkpoint on show, or None when live

    def __init__(self, controller, bar: ReplayBar, parent=None):
        super().__init__(parent or controller)
        self.c = controller
        self.bar = bar
        self.current = None                 # the Checkpoint on show; None: live
        self.network = None                 # the scratch Network drawing it
        self._store = None
        self._changes = -1
        self._cps: list = []
        self._summary = ""
        plots = controller.w.plots
        # Dark grey: every palette colour already names a layer or a split on these plots.
        pen = pg.mkPen("#333333", width=2, style=QtCore.Qt.DashLine)
        # Created once; on the plots only while a past moment is on show (live plots hold only
        # their own lines, such as the live-change marks).
        self._plots = [pw.getPlotItem() for pw in (plots.loss, plots.accuracy, plots.grad, plots.wnorm)]
        self._lines = [pg.InfiniteLine(angle=90, movable=False, pen=pen) for _ in self._plots]
        for line in self._lines:
            line.setZValue(50)
        bar.slider.valueChanged.connect(self._on_slider)
        bar.live.clicked.connect(self.go_live)
        bar.branch.clicked.connect(self.continue_here)
        plots.x_axis.currentIndexChanged.connect(lambda _i: self._place_lines())
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    # ------------------------------------------------------------------ following the store
    def refresh(self) -> None:
        """Follow the store of the run on show: new checkpoints extend the slider; another run
        or a new trainer puts it back to live."""
        s = self.c.active
        store = None if s is None else s.checkpoints
        if store is not self._store:
            self._store, self._changes, self._cps = store, -1, []
            self._show(None)
        if store is None:
            self._set_range(0, 0)
            self._summary = ""
            self.bar.info.setText("")
            self._enable()
            return
        if store.changes == self._changes:
            return
        self._changes = store.changes
        self._cps = store.checkpoints()
        self._summary = store.summary()
        if self.current is None:
            self._set_range(len(self._cps), len(self._cps))
        else:   # the moment on show may have moved in the list (thinned): find it again
            i = min(range(len(self._cps)), key=lambda k: abs(self._cps[k].samples_seen - self.current.samples_seen))
            self._set_range(len(self._cps), i)
        self._say()
        self._enable()

    def _say(self) -> None:
        """The info line: where the slider is, and what the replay keeps (memory is bounded)."""
        cp, store = self.current, self._store
        if store is not None and not store.enabled:
            text = self._summary
        elif cp is None:
            mib = 1024**2
            n = len(self._cps)
            text = (f"live · {n} checkpoint{'' if n == 1 else 's'}, {0 if store is None else store.nbytes / mib:,.1f} of "
                    f"{0 if store is None else store.cap_bytes / mib:,.0f} MB")
        else:
            text = (f"<b>epoch {cp.epoch_fraction:,.2f}</b> · checkpoint {self.bar.slider.value() + 1} of "
                    f"{len(self._cps)} · {cp.samples_seen:,} samples")
        self.bar.info.setText(text)
        self.bar.info.setToolTip(f"Kept for replay: {self._summary}")

    def _set_range(self, top: int, value: int) -> None:
        sl = self.bar.slider
        blocked = sl.blockSignals(True)
        sl.setRange(0, top)
        sl.setValue(value)
        sl.blockSignals(blocked)

    def _enable(self) -> None:
        has = bool(self._cps)
        self.bar.slider.setEnabled(has)
        self.bar.live.setEnabled(self.current is not None)
        self.bar.branch.setEnabled(self.current is not None)

    # ------------------------------------------------------------------ moving
    def _on_slider(self, value: int) -> None:
        self._show(self._cps[value] if 0 <= value < len(self._cps) else None)

    def go_live(self) -> None:
        self._set_range(len(self._cps), len(self._cps))
        self._show(None)

    def show_checkpoint(self, index: int) -> None:
        """Scrub to checkpoint ``index`` (as the slider does)."""
        self.bar.slider.setValue(index)

    def _show(self, cp) -> None:
        s = self.c.active
        if cp is not None and (s is None or s.network is None):
            cp = None
        if cp is None and self.current is None:
            self._enable()
            return
        self.current = cp
        frames = self.c.frames
        if cp is None:
            self.network = None
        else:
            self.network = Network.from_params(s.network.spec, cp.params, seed=s.network.seed)
        self._say()
        if frames.session is s:
            frames.set_replay(self.network)
        self._place_lines()
        self._enable()
        self.sigMoment.emit(cp)

    def _place_lines(self) -> None:
        cp = self.current
        by_samples = self.c.w.plots.by_samples
        for plot, line in zip(self._plots, self._lines):
            on = line.scene() is not None
            if cp is None:
                if on:
                    plot.removeItem(line)
                continue
            line.setPos(float(cp.samples_seen if by_samples else cp.epoch_fraction))
            if not on:
                plot.addItem(line, ignoreBounds=True)

    # ------------------------------------------------------------------ branching
    def continue_here(self):
        """A new run from the checkpoint on show: its parameters, counters and the epochs before
        it; the original keeps its own. Returns the new session (None if there is none to make)."""
        cp, s = self.current, self.c.active
        if cp is None or s is None or s.trainer is None:
            return None
        try:
            session = branch(self.c, s, cp)
        except PlaygroundError as e:
            QtWidgets.QMessageBox.warning(self.c.w, "Could not continue from here", str(e))
            return None
        runs = getattr(self.c, "runs", None)
        if runs is not None:
            runs.name_branch(session, s, cp)
        self.refresh()
        return session


def branch(ctrl, s, cp):
    """A new session beside ``s`` whose network holds checkpoint ``cp``'s parameters exactly.
    The optimiser's state (momentum, Adam's moments) starts afresh and the mini-batch order
    starts a new epoch: a checkpoint keeps parameters only."""
    spec, cfg, ds = s.network.spec, s.trainer.config, s.dataset
    net = Network.from_params(spec, cp.params, seed=s.network.seed)
    saved = LoadedModel(net, cfg, [r for r in s.trainer.history if r.epoch <= cp.epoch], ds.name,
                        {"epoch": cp.epoch, "step": cp.step, "samples_seen": cp.samples_seen})
    trainer = ctrl.backend.trainer_from_saved(saved, ds, cfg)
    applied = dict(s.applied)
    new = ctrl.new_session(build=False)
    ctrl.attach(ds, net, trainer, applied, session=new)
    if applied:
        ctrl.w.controls.set_state(applied)
    return new
