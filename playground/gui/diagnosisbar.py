"""The diagnosis strip under the banner: what the plots of the run on show say is going wrong
(core.diagnosis), one line each, with a "Show me" button for the lesson that demonstrates it.

DiagnosisBar is the widget; DiagnosisWatch evaluates the run on show from the frame timer, at
most once a second (a diagnosis is read, not watched frame by frame), and starts afresh whenever
the run or its network changes. The lessons come from core.lessons; where that package is not
installed the button is there but disabled.
"""
from __future__ import annotations

import time
from html import escape

from playground.core.diagnosis import Watch

from ._qt import QtCore, QtGui, QtWidgets

PERIOD = 1.0              # seconds between two evaluations
_TITLES = {"vanishing-gradients": "Vanishing gradients", "dead-relus": "Dead ReLUs",
           "weight-init": "Weight initialisation", "overfitting-l2": "Overfitting and L2",
           "learning-rates": "Learning rates"}


def lesson_title(name: str) -> tuple[str, bool]:
    """(title, whether the lesson can be opened)."""
    try:
        from playground.core import lessons
        return lessons.load(name).title, True
    except Exception:            # no lessons package (yet), or no such lesson in it
        return _TITLES.get(name, name), False


class DiagnosisBar(QtWidgets.QFrame):
    sigOpenLesson = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("diagnosis")
        self.setStyleSheet("QFrame#diagnosis { background: #fff4d6; border: 1px solid #e0a800; border-radius: 4px; }"
                           " QLabel { color: #6b4a00; }")
        self.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Maximum)
        self._rows = QtWidgets.QVBoxLayout(self)
        self._rows.setContentsMargins(8, 2, 4, 2)
        self._rows.setSpacing(0)
        self.findings: list = []
        self.dismissed: set[str] = set()      # keys closed by hand: back only once they have cleared
        self.hide()

    def set_findings(self, findings) -> None:
        keys = {f.key for f in findings}
        self.dismissed &= keys
        findings = [f for f in findings if f.key not in self.dismissed]
        if [(f.key, f.text) for f in findings] == [(f.key, f.text) for f in self.findings]:
            return
        self.findings = list(findings)
        while self._rows.count():
            item = self._rows.takeAt(0)
            item.widget().deleteLater()
        for f in findings:
            self._rows.addWidget(self._row(f))
        self.setVisible(bool(findings))

    def _row(self, f) -> QtWidgets.QWidget:
        row = QtWidgets.QWidget()
        row.setObjectName(f"diagnosis-{f.key}")
        h = QtWidgets.QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        # The lesson link flows on in the sentence: a button beside it took a third of the width
        # and the sentence then needed three lines, more than the 1280 x 800 window can spare.
        title, available = lesson_title(f.lesson)
        link = (f'<a href="{escape(f.lesson)}" style="color:#0a3d7a">Show me: {escape(title)}</a>' if available
                else f'<span style="color:#8a7a5a">Show me: {escape(title)}</span>')
        text = QtWidgets.QLabel(f"⚠ {escape(f.text[:1].upper() + f.text[1:])}. {link}")
        text.setObjectName("diagnosisText")
        text.setWordWrap(True)
        text.setTextFormat(QtCore.Qt.RichText)
        text.setTextInteractionFlags(QtCore.Qt.LinksAccessibleByMouse | QtCore.Qt.LinksAccessibleByKeyboard)
        text.setToolTip(f"Open the lesson that shows this: {title}" if available
                        else "The lessons are not installed in this version.")
        text.linkActivated.connect(self.sigOpenLesson.emit)
        text.setAccessibleName("Diagnosis")
        h.addWidget(text, 1)
        close = QtWidgets.QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss (it comes back if the problem clears and returns)")
        close.clicked.connect(lambda _=False, key=f.key: self._dismiss(key))
        h.addWidget(close, 0, QtCore.Qt.AlignTop)
        return row

    def _dismiss(self, key: str) -> None:
        self.dismissed.add(key)
        self.set_findings([f for f in self.findings])

    def row_for(self, key: str):
        return self.findChild(QtWidgets.QWidget, f"diagnosis-{key}")

    def text_for(self, key: str) -> str:
        """A finding's sentence as shown, without the link."""
        row = self.row_for(key)
        label = None if row is None else row.findChild(QtWidgets.QLabel, "diagnosisText")
        if label is None:
            return ""
        doc = QtGui.QTextDocument()
        doc.setHtml(label.text())
        return doc.toPlainText()


class DiagnosisWatch(QtCore.QObject):
    """Evaluates the run on show (``frames.session``) from the frame timer, at most once a second."""

    def __init__(self, bar: DiagnosisBar, frames, parent=None):
        super().__init__(parent)
        self.bar, self.frames = bar, frames
        self._trainer = None
        self._watch = Watch()
        self._last = -PERIOD
        frames.timer.timeout.connect(self.tick)

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PERIOD:
            return
        self._last = now
        s = self.frames.session
        t = None if s is None else s.trainer
        if t is not self._trainer:                # another run, or a new network: start afresh
            self._trainer, self._watch = t, Watch()
            self.bar.dismissed.clear()
        if t is None or s.network is None:
            self.bar.set_findings([])
            return
        hist = s.tap.histograms if s.tap is not None else None
        self.bar.set_findings(self._watch.update(s.network.spec, t.latest, t.history,
                                                 None if hist is None else hist[1]))
