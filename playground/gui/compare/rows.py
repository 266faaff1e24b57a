"""A twin's card at the start of its row: label in its colour, state, samples seen, accuracy, and
the buttons that command it (Pause / Stop / Remove / Make main run)."""
from __future__ import annotations

import html

from .._qt import QtCore, QtGui, QtWidgets
from .. import theme

STATE_WORDS = {"training": "training", "paused": "paused", "done": "finished", "stopped": "stopped",
               "diverged": "diverged", "error": "error", "ready": "ready", "compiling": "preparing…",
               "preparing": "preparing…", "idle": "idle"}


class TwinInfo(QtWidgets.QFrame):
    def __init__(self, label: str, colour: str, parent=None):
        super().__init__(parent)
        self.setObjectName("twinInfo")
        # A bar in the twin's colour down the left edge ties the card to its curves.
        self.setStyleSheet(f"QFrame#twinInfo {{ border-left: 6px solid {colour}; padding-left: 4px; }}")
        self.name = label
        self.title = QtWidgets.QLabel(f"<b>{html.escape(label)}</b>")
        f = self.title.font()
        f.setPointSize(theme.TITLE_PT)
        self.title.setFont(f)
        self.title.setAccessibleName(f"Twin {label}")
        self.state = QtWidgets.QLabel()
        self.samples = QtWidgets.QLabel()
        self.accuracy = QtWidgets.QLabel()
        self.pause = QtWidgets.QPushButton("Pause")
        self.stop = QtWidgets.QPushButton("Stop")
        self.remove = QtWidgets.QPushButton("Remove")
        self.promote = QtWidgets.QPushButton("Make main run")
        for b, tip in ((self.pause, "Pause or resume this twin (the others go on)"),
                       (self.stop, "Stop this twin"),
                       (self.remove, "Stop this twin and take it out of the comparison"),
                       (self.promote, "Show this twin on the Train page: the controls and the toolbar "
                                      "then work on it")):
            b.setToolTip(tip)
            b.setAccessibleName(f"{b.text()} {label}")
            b.setFocusPolicy(QtCore.Qt.TabFocus)     # Space stays the window's Play / Pause
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(6, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(1)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.state, 1, 0, 1, 2)
        grid.addWidget(self.samples, 2, 0, 1, 2)
        grid.addWidget(self.accuracy, 3, 0, 1, 2)
        grid.addWidget(self.pause, 4, 0)
        grid.addWidget(self.stop, 4, 1)
        grid.addWidget(self.remove, 5, 0)
        grid.addWidget(self.promote, 5, 1)
        grid.setRowStretch(6, 1)
        self._fit_width()
        self._shown = None

    def _fit_width(self) -> None:
        """As wide as its widest possible text, always: a card that grew with its numbers made the
        whole page lay out (and repaint every plot) again. Again when the fonts change (a UI scale)."""
        # Measured in the card's own font: on a font change it is new before its children's are.
        fm = QtGui.QFontMetrics(self.font())
        text = max(fm.horizontalAdvance("8,888,888 samples (8,888.8 ep.)"),
                   fm.horizontalAdvance("validation accuracy 100.0 %"),
                   fm.horizontalAdvance("preparing… · main run"))

        def width(label):
            b = QtWidgets.QPushButton(label)
            b.setFont(self.font())
            return b.sizeHint().width()

        buttons = max(width("Pause"), width("Remove"), width("Resume")) + width("Make main run") + 4
        self.setFixedWidth(max(text, buttons, self.title.sizeHint().width()) + 16)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.FontChange:
            self._fit_width()

    def show_state(self, session, accuracy: float | None, split: str, is_main: bool) -> None:
        t = session.trainer
        samples = 0 if t is None else t.samples_seen
        epochs = 0.0 if t is None else t.epoch_fraction
        state = STATE_WORDS.get(session.phase, session.phase) + (" · main run" if is_main else "")
        acc = "–" if accuracy is None else f"{accuracy:.1f} %"
        playing = session.playing
        key = (state, samples, acc, playing, session.run_active, is_main)
        if key == self._shown:
            return
        self._shown = key
        self.state.setText(state)
        self.samples.setText(f"{samples:,} samples ({epochs:.1f} ep.)")
        self.accuracy.setText(f"{split} accuracy {acc}")
        self.pause.setText("Pause" if playing else ("Resume" if session.run_active else "Play"))
        self.stop.setEnabled(session.run_active or session.step_active)
        self.promote.setEnabled(not is_main)
