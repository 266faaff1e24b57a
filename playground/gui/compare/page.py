"""The Compare page: a tab beside Train and Draw showing the twin runs of one comparison.

Rows command the twins; curves of every twin overlay on shared axes on the left; small
multiples, one column per twin, on the right. The frame timer (frames.py) calls ``tick``: each
twin's trainer is read, series grow, and at most one plot is redrawn a frame (boundaries at most
~4 times a second each), the way the Train page spreads its work.
"""
from __future__ import annotations

import html
import math
import time

from playground.core.compare import VARIABLE, start_note

from .._qt import QtCore, QtWidgets
from .. import theme
from ..ranges import nice_ceiling
from ..scrolling import shared_height_scroll
from .multiples import Multiples, TwinPlots
from .overlay import OverlayPlots
from .traces import TwinTrace

BOUNDARY_PERIOD = 0.4      # seconds between two redraws of one twin's decision boundary
PAINT_EVERY = 2            # frames between two plot redraws
ROWS_EVERY = 6             # frames between two updates of the rows' numbers (~5 Hz)


def summary(comparison) -> str:
    keys = []
    for t in comparison.twins:
        keys += [k for k in t.overrides if k not in keys]
    what = ", ".join(VARIABLE.get(k, k) for k in keys) or "nothing"
    labels = " · ".join(html.escape(t.label) for t in comparison.twins)
    return f"<b>Twin runs</b> that differ in <b>{html.escape(what)}</b>: {labels}"


def sameness(comparison) -> tuple[str, bool]:
    """What the twins share, or the start note saying what differs at the start (True: a warning)."""
    note = start_note(comparison.twins)
    if note:
        return note, True
    text = "Same seed, same initial weights and the same mini-batch order; they race in samples seen."
    if any("cost" in t.overrides for t in comparison.twins):
        text += " Different costs have different scales: compare the accuracy, not the loss."
    return text, False


class ComparePage(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.comparison = None
        self.traces: dict = {}
        self.rows: dict = {}                # session -> TwinPlots
        self._drawn: dict = {}              # (part, session) -> frame it was last redrawn in
        self._sessions: list = []
        self._trainers: dict = {}
        self._dirty: set = set()
        self._rr = 0
        self._frame = 0
        self._x_span = None
        self._last_boundary: dict = {}
        self.redraws = 0                    # plots redrawn (tests, bench)

        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        self.stack = QtWidgets.QStackedWidget()
        outer.addWidget(self.stack)

        empty = QtWidgets.QWidget()
        ev = QtWidgets.QVBoxLayout(empty)
        ev.addStretch(1)
        msg = QtWidgets.QLabel("<h3>No twin runs yet</h3><p>Compare… trains copies of the current run that "
                               "differ in one setting (the activation, the cost, the learning rate…), side by "
                               "side and at the same pace.</p>")
        msg.setWordWrap(True)
        msg.setAlignment(QtCore.Qt.AlignCenter)
        ev.addWidget(msg)
        self.compare_button = QtWidgets.QPushButton("Compare…")
        ev.addWidget(self.compare_button, 0, QtCore.Qt.AlignCenter)
        ev.addStretch(2)
        self.stack.addWidget(empty)
        self.empty = empty

        content = QtWidgets.QWidget()
        cv = QtWidgets.QVBoxLayout(content)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.setSpacing(4)
        top = QtWidgets.QHBoxLayout()
        texts = QtWidgets.QVBoxLayout()
        texts.setSpacing(0)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        texts.addWidget(self.summary)
        texts.addWidget(self.note)
        top.addLayout(texts, 1)
        self.play_all = QtWidgets.QPushButton("Pause all")
        self.stop_all = QtWidgets.QPushButton("Stop all")
        self.close_button = QtWidgets.QPushButton("Close comparison")
        self.close_button.setToolTip("Stop the twins and remove them (a twin made the main run stays)")
        self._fit_play_all()
        for b in (self.play_all, self.stop_all, self.close_button):
            b.setFocusPolicy(QtCore.Qt.TabFocus)
            top.addWidget(b, 0, QtCore.Qt.AlignTop)
        cv.addLayout(top)
        self.overlay = OverlayPlots()
        self.multiples = Multiples()
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        self.splitter.setObjectName("compareSplitter")
        # Four twins, or presentation mode's larger scale, need more height than a 1280 x 800
        # screen has: the rows scroll, the shared curves stay in view.
        self.multiples_scroll = shared_height_scroll(self.multiples, "multiplesScroll")
        self.splitter.addWidget(self.overlay)
        self.splitter.addWidget(self.multiples_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 7)
        self.splitter.setChildrenCollapsible(False)
        cv.addWidget(self.splitter, 1)
        self.stack.addWidget(content)
        self.content = content

        self.play_all.clicked.connect(self._on_play_all)
        self.stop_all.clicked.connect(lambda: self.comparison and self.comparison.stop_all())
        self.close_button.clicked.connect(self.close_comparison)

    def _fit_play_all(self) -> None:
        """One width for both of its texts: a button that changes width lays out the page again."""
        def width(text):
            b = QtWidgets.QPushButton(text)
            b.setFont(self.play_all.font())
            return b.sizeHint().width()
        self.play_all.setFixedWidth(max(width("Pause all"), width("Play all")))

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.FontChange:     # a UI scale (presentation mode)
            self._fit_play_all()

    # ------------------------------------------------------------------ comparisons
    def show_comparison(self, comparison) -> None:
        """Show ``comparison`` (the previous one, if any, closes first)."""
        if self.comparison is not None and self.comparison is not comparison:
            self.close_comparison()
        self.comparison = comparison
        comparison.sigChanged.connect(self._layout)
        self.summary.setText(summary(comparison))
        text, warn = sameness(comparison)
        self.note.setText(f"<span style='color:#8a1010'>⚠ {html.escape(text)}</span>" if warn else html.escape(text))
        self._layout()
        self.stack.setCurrentWidget(self.content)
        width = max(self.width(), 800)
        self.splitter.setSizes([int(width * 0.27), int(width * 0.73)])

    def close_comparison(self) -> None:
        comp = self.comparison
        if comp is None:
            return
        comp.sigChanged.disconnect(self._layout)
        self.comparison = None
        comp.close()
        comp.deleteLater()                 # a child of the controller: gone with the window otherwise
        self._layout()
        self.stack.setCurrentWidget(self.empty)

    def colour_of(self, session) -> str:
        return theme.colour(self.comparison.colour_index[session])

    def _layout(self) -> None:
        """Curves and rows for the twins there are now; a twin's series survive a relayout unless
        its network changed."""
        comp = self.comparison
        sessions = [] if comp is None else [s for s in comp.sessions if s.trainer is not None]
        for s in list(self.rows):
            if s not in sessions or self._trainers.get(s) is not s.trainer:
                self.rows.pop(s).close()
                self.traces.pop(s, None)
                self._trainers.pop(s, None)
        for s in sessions:
            if s not in self.rows:
                row = TwinPlots(comp.twin_of(s).label, self.colour_of(s), s.network, s.dataset)
                info = row.info
                info.pause.clicked.connect(lambda _=False, s=s: self.comparison.toggle(s))
                info.stop.clicked.connect(lambda _=False, s=s: self.comparison.stop(s))
                info.remove.clicked.connect(lambda _=False, s=s: self.comparison.remove(s))
                info.promote.clicked.connect(lambda _=False, s=s: self.comparison.promote(s))
                self.rows[s] = row
                self.traces[s] = TwinTrace(s.network.spec.n_layers)
                if s.tap is not None:
                    TwinTrace.follow(s.tap)           # before the twins start: their first snapshots too
                self._trainers[s] = s.trainer
        self._sessions = sessions
        self._drawn = {k: v for k, v in self._drawn.items() if k[1] in sessions}   # no closed run kept
        entries = [(comp.twin_of(s).label, self.colour_of(s)) for s in sessions]
        self.overlay.configure([e[0] for e in entries], [e[1] for e in entries])
        self.multiples.configure([self.rows[s] for s in sessions])
        self._x_span = None
        self._last_boundary = {}
        for s in sessions:                    # everything again, from the start of each series
            if s.tap is not None and s.tap.histograms is not None:
                self.rows[s].take_histograms(s.tap.histograms[1])
        self._dirty = {"loss", "accuracy"} | {(p, s) for s in sessions for p in ("grad", "hist")}
        self._update_rows()

    # ------------------------------------------------------------------ frames
    def tick(self) -> None:
        """~30 Hz from the frame timer: read every twin, redraw one plot."""
        comp = self.comparison
        if comp is None:
            return
        for s in self._sessions:
            t = s.trainer
            if t is None or self._trainers.get(s) is not t:
                continue
            changed = self.traces[s].pull(t, s.tap)
            if "snaps" in changed:
                self._dirty.update(("loss", ("grad", s)))
            if "epochs" in changed:
                self._dirty.add("accuracy")
            if "hist" in changed:
                self.rows[s].take_histograms(self.traces[s].histograms[1])
                self._dirty.add(("hist", s))
        self._frame += 1
        if self._frame % ROWS_EVERY == 0:
            self._update_rows()
        if not self.isVisible():
            return
        # One plot every other frame (~15 Hz): a page of a dozen plots, each repaint 5-30 ms on a
        # busy machine, painted at the full 30 Hz took twice the frame gaps of one run (measured
        # with bench --ui --twins 3).
        if self._frame % PAINT_EVERY:
            return
        if not self._refresh_boundary():
            self.redraw(budget=1)

    def _refresh_boundary(self) -> bool:
        """The decision boundary of the twin that waited longest, if one is due."""
        now = time.monotonic()
        due = [s for s in self._sessions if self.rows[s].boundary is not None
               and now - self._last_boundary.get(s, 0.0) >= BOUNDARY_PERIOD
               and self.rows[s].boundary_seq != self.traces[s].snaps.n]
        if not due:
            return False
        s = min(due, key=lambda s: self._last_boundary.get(s, 0.0))
        self._last_boundary[s] = now
        col = self.rows[s]
        col.boundary_seq = self.traces[s].snaps.n
        try:
            col.boundary.refresh(s.network)
        except (FloatingPointError, ValueError):      # a torn read mid-chunk: the next one will do
            pass
        return True

    def _x_target(self):
        x = max([tr.snaps.x(False)[-1] for tr in self.traces.values() if tr.snaps.n]
                + [tr.epochs.x(False)[-1] for tr in self.traces.values() if tr.epochs.n] + [0.0])
        if x > 0 and math.isfinite(x) and (self._x_span is None or x > self._x_span or x < self._x_span / 4):
            self._x_span = nice_ceiling(x * 1.15)
        return self._x_span

    PARTS = ("loss", "accuracy", "grad", "hist")

    def redraw(self, budget: int | None = None) -> int:
        """Redraw what changed, at most ``budget`` plots (round robin over the parts)."""
        done = 0
        traces = [self.traces[s] for s in self._sessions]
        for _ in range(len(self.PARTS)):
            if not self._dirty or (budget is not None and done >= budget):
                break
            part = self.PARTS[self._rr % len(self.PARTS)]
            self._rr += 1
            if part == "loss" and "loss" in self._dirty:
                self._dirty.discard("loss")
                self.overlay.draw_loss(traces, self._x_target())
            elif part == "accuracy" and "accuracy" in self._dirty:
                self._dirty.discard("accuracy")
                if traces:
                    self.overlay.set_accuracy_split(traces[0].accuracy_split)
                self.overlay.draw_accuracy(traces)
            elif part in ("grad", "hist"):
                s = self._next_twin(part)
                if s is None:
                    continue
                j = self._sessions.index(s)
                if part == "grad":
                    self._dirty.discard(("grad", s))
                    self.multiples.draw_grad(j, traces, self._x_target())
                elif not self.multiples.draw_hist(j):
                    self._dirty.discard(("hist", s))
                    continue
            else:
                continue
            done += 1
        self.redraws += done
        return done

    def _next_twin(self, part: str):
        """The twin with ``part`` to redraw that waited longest: one twin probing or moving
        often must not starve the others."""
        pending = [s for s in self._sessions if (part, s) in self._dirty]
        if not pending:
            return None
        s = min(pending, key=lambda s: self._drawn.get((part, s), -1))
        self._drawn[(part, s)] = self._frame
        return s

    def _update_rows(self) -> None:
        comp = self.comparison
        if comp is None:
            return
        active = comp.controller.active
        for s, row in self.rows.items():
            tr = self.traces.get(s)
            row.info.show_state(s, None if tr is None else tr.last_accuracy,
                                "test" if tr is None else tr.accuracy_split, s is active)
        self.play_all.setText("Pause all" if comp.any_playing else "Play all")

    def _on_play_all(self) -> None:
        comp = self.comparison
        if comp is None:
            return
        comp.pause_all() if comp.any_playing else comp.start()
        self._update_rows()
