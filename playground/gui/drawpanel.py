"""The "Draw" page: draw a digit and watch a network read it, step by step.

Left: the canvas and its tools. Right, live while drawing (throttled): the verdict and ten
probability bars, the 28x28 image the network sees, the preprocessing pipeline (switchable),
evidence maps for the top class and the runner-up, and the hidden layers' activations.

Which network reads comes from ``attach(source)``: a callable returning the (network, dataset)
being trained. It reads when it takes 784 inputs and gives 10 outputs; otherwise the shipped
digit model does, and the panel says why.
"""
from __future__ import annotations

import logging

from playground.core.drawing import preprocess, read, reader_for, shipped_reader
from playground.core.errors import PlaygroundError

from ._qt import QtCore, QtGui, QtWidgets
from . import settings as st
from . import wheelguard
from .drawpad import DrawPad
from .drawviews import ActivationGrids, PixelImage, ProbabilityBars, evidence_rgba
from .mydigitsbar import MyDigitsBar

log = logging.getLogger(__name__)

UPDATE_MS = 40          # at most ~25 readings a second while drawing
SOURCE_MS = 1000        # re-read with the latest weights while a network trains
N_STEPS = 5


def _titled(widget: QtWidgets.QWidget, title: str) -> tuple[QtWidgets.QWidget, QtWidgets.QLabel]:
    box = QtWidgets.QWidget()
    v = QtWidgets.QVBoxLayout(box)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(2)
    label = QtWidgets.QLabel(title)
    label.setWordWrap(True)
    label.setAlignment(QtCore.Qt.AlignHCenter)
    v.addWidget(widget, 1)
    v.addWidget(label)
    return box, label


def _int_setting(key: str, default: int) -> int:
    try:
        return int(st.value(key, default))
    except (TypeError, ValueError):
        return default


def _heading(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(f"<b>{text}</b>")
    return label


class DrawPanel(QtWidgets.QWidget):
    sigRead = QtCore.Signal()            # a reading was shown (tests wait on it)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._source = lambda: (None, None)
        self._setting_label = False
        self._shipped = None
        self._reader = None
        self._source_objs = None         # the (network, dataset) the current reader was chosen for
        self.reading = None
        self.error: str | None = None
        self._build()
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UPDATE_MS)
        self._timer.timeout.connect(self.update_reading)
        self._source_timer = QtCore.QTimer(self)
        self._source_timer.setInterval(SOURCE_MS)
        self._source_timer.timeout.connect(self._on_source_tick)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.pad = DrawPad()
        self.source_label = QtWidgets.QLabel()
        self.source_label.setWordWrap(True)
        self.source_label.setTextFormat(QtCore.Qt.RichText)
        self.pen = QtWidgets.QSpinBox()
        self.pen.setRange(2, 48)
        self.pen.setSuffix(" px")
        self.pen.setValue(_int_setting("draw/pen", 18))
        self.pen.setAccessibleName("Pen width")
        self.pen.setToolTip("Pen width (on a 280 px canvas). A tablet pen's pressure makes it thinner.")
        self.clear_button = QtWidgets.QPushButton("Clear")
        self.clear_button.setToolTip("Clear the canvas (Delete or Backspace)")
        self.undo_button = QtWidgets.QPushButton("Undo stroke")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.mnist_style = QtWidgets.QCheckBox("MNIST-style preprocessing")
        self.mnist_style.setChecked(str(st.value("draw/mnist_style", True)).lower() not in ("false", "0"))
        self.mnist_style.setToolTip(
            "On: crop to the ink, scale to a 20 px box, centre by mass, as MNIST's digits were made. "
            "Off: shrink the whole canvas to 28x28, as many demos do; small or off-centre digits then fail.")
        tools = QtWidgets.QHBoxLayout()
        pen_label = QtWidgets.QLabel("Pen:")
        pen_label.setBuddy(self.pen)
        for w in (pen_label, self.pen, self.undo_button, self.clear_button):
            tools.addWidget(w)
        tools.addStretch(1)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.source_label)
        left.addWidget(self.pad, 1)
        left.addLayout(tools)
        left.addWidget(self.mnist_style)
        self.my_digits = MyDigitsBar(self._drawing, lambda: self._reader)
        left.addWidget(self.my_digits)

        self.verdict = QtWidgets.QLabel()
        self.verdict.setTextFormat(QtCore.Qt.RichText)
        self.verdict.setAlignment(QtCore.Qt.AlignCenter)
        self.verdict.setWordWrap(True)
        self.verdict.setMinimumWidth(120)
        self.bars = ProbabilityBars()
        self.seen = PixelImage(112)
        seen_box, _ = _titled(self.seen, "What the network sees (28x28)")
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.verdict, 2)
        top.addWidget(self.bars, 4)
        top.addWidget(seen_box, 3)

        self.steps, self.step_labels = [], []
        steps_row = QtWidgets.QHBoxLayout()
        for _ in range(N_STEPS):
            img = PixelImage(64)
            box, label = _titled(img, "")
            self.steps.append(img)
            self.step_labels.append(label)
            steps_row.addWidget(box, 1)

        self.evidence_top, self.evidence_top_label = PixelImage(96), None
        self.evidence_second = PixelImage(96)
        ev_top_box, self.evidence_top_label = _titled(self.evidence_top, "")
        ev_second_box, self.evidence_second_label = _titled(self.evidence_second, "")
        self.hidden = ActivationGrids()
        low = QtWidgets.QHBoxLayout()
        low.addWidget(ev_top_box, 2)
        low.addWidget(ev_second_box, 2)
        low.addWidget(self.hidden, 5)

        right = QtWidgets.QVBoxLayout()
        right.addLayout(top, 5)
        right.addWidget(_heading("The pipeline: how the drawing becomes 28x28"))
        right.addLayout(steps_row, 3)
        why = _heading("Why: each pixel's evidence (orange for, blue against) · Inside: the hidden units")
        why.setWordWrap(True)
        right.addWidget(why)
        right.addLayout(low, 4)

        outer = QtWidgets.QHBoxLayout(self)
        outer.addLayout(left, 4)
        outer.addLayout(right, 6)

        self.pad.sigChanged.connect(self.schedule)
        self.my_digits.sigAdded.connect(self._on_added)
        self.my_digits.label.valueChanged.connect(self._on_label_chosen)
        self._label_set = False         # the user picked the label for this drawing: leave it alone
        wheelguard.guard(self.pen)
        self.pen.valueChanged.connect(self._on_pen)
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button.clicked.connect(self.pad.undo)
        self.mnist_style.toggled.connect(self._on_style)
        ctx = QtCore.Qt.WidgetWithChildrenShortcut
        for keys, slot in ((QtGui.QKeySequence.Delete, self.pad.clear),
                           (QtGui.QKeySequence(QtCore.Qt.Key_Backspace), self.pad.clear),
                           (QtGui.QKeySequence.Undo, self.pad.undo)):
            sc = QtGui.QShortcut(QtGui.QKeySequence(keys), self, context=ctx)
            sc.activated.connect(slot)
        self._on_pen(self.pen.value())
        self._show_nothing("Draw a digit in the black square.")

    def _drawing(self):
        """What "Add to my digits" keeps: the MNIST-style 28x28 (whatever the switch shows) and the strokes."""
        prep = preprocess(self.pad.ink(), True)
        return prep.pixels, self.pad.strokes, self.pad.side(), prep.reason

    def _on_added(self, _label: int) -> None:
        self.pad.clear()

    # ------------------------------------------------------------------ source
    def attach(self, source) -> None:
        """``source()`` -> (network, dataset) being trained; read again whenever shown."""
        self._source = source
        self._reader = None
        self.schedule()

    def _shipped_reader(self):
        if self._shipped is None:
            self._shipped = shipped_reader()
        return self._shipped

    def _current_reader(self):
        net, ds = self._source()
        objs = self._source_objs
        if self._reader is None or objs is None or net is not objs[0] or ds is not objs[1]:
            self._source_objs = (net, ds)
            try:
                self._reader = reader_for(net, ds, self._shipped_reader)
                self.error = None
            except PlaygroundError as e:       # the shipped model missing or damaged
                self._reader, self.error = None, f"No network can read drawings: {e}"
            self._show_source()
        return self._reader

    def _show_source(self) -> None:
        r = self._reader
        if r is None:
            self.source_label.setText(f"<span style='color:#b00'>{self.error}</span>")
            return
        text = f"Reading: <b>{r.title}</b>."
        if r.why:
            text += f"<br><i>{r.why}</i>"
        if not r.reads_digits:
            text += f"<br><i>It knows {r.knows}, not digits: see what it makes of your drawing.</i>"
        self.source_label.setText(text)

    def showEvent(self, e) -> None:  # noqa: N802
        self._source_timer.start()
        self.schedule()
        self.pad.setFocus()             # Delete, Backspace and Ctrl+Z work at once
        super().showEvent(e)

    def hideEvent(self, e) -> None:  # noqa: N802
        self._source_timer.stop()
        # Hidden, it keeps no run alive (a closed run's network and data stayed here); shown
        # again, it chooses its reader afresh.
        self._reader = self._source_objs = None
        super().hideEvent(e)

    def _on_source_tick(self) -> None:
        net, ds = self._source()
        changed = self._source_objs is None or net is not self._source_objs[0] or ds is not self._source_objs[1]
        # A new network (or dataset) may change who reads; the one being trained changes its weights.
        if changed or (not self.pad.is_blank() and self._reader is not None and self._reader.network is net):
            self.schedule()

    # ------------------------------------------------------------------ reading
    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _on_label_chosen(self, _value: int) -> None:
        if not self._setting_label:
            self._label_set = True

    def _on_pen(self, value: int) -> None:
        self.pad.pen_width = float(value)
        st.set_value("draw/pen", int(value))

    def _on_style(self, on: bool) -> None:
        st.set_value("draw/mnist_style", bool(on))
        self.schedule()

    def update_reading(self) -> None:
        if not self.isVisible():        # hidden behind the Train tab: showEvent reads again
            return
        reader = self._current_reader()
        prep = preprocess(self.pad.ink(), self.mnist_style.isChecked())
        self._show_steps(prep)
        if reader is None:
            self._show_nothing(self.error or "")
            return
        self.reading = read(reader, None, prep=prep)
        if self.pad.is_blank():
            self._label_set = False
            self._show_nothing("Draw a digit in the black square.")
        elif self.reading.probabilities is None:
            self._show_nothing(self.reading.reason or "")
        else:
            self._show_reading(reader, self.reading)
        self.sigRead.emit()

    def _show_nothing(self, reason: str) -> None:
        self.my_digits.add_button.setEnabled(False)
        self.verdict.setText(f"<span style='font-size:13pt; color:#555'>{reason}</span>")
        # Empty bars still name the reader's classes: a garment net's bars say "Sandal", not "5".
        self.bars.set_values(None, names=None if self._reader is None else self._reader.class_names)
        self.seen.set_array(None)
        for w in (self.evidence_top, self.evidence_second):
            w.set_array(None)
        self.evidence_top_label.setText("For the top class")
        self.evidence_second_label.setText("For the runner-up")
        self.hidden.set_layers([], "The hidden units' activations appear here.")

    def _show_steps(self, prep) -> None:
        for i, (img, label) in enumerate(zip(self.steps, self.step_labels)):
            step = prep.steps[i] if i < len(prep.steps) else None
            img.setVisible(step is not None)
            label.setVisible(step is not None)
            if step is not None:
                img.set_array(step.image)
                label.setText(step.title)

    def _show_reading(self, reader, r) -> None:
        self.my_digits.add_button.setEnabled(True)
        names = reader.class_names
        top, second = names[r.top], names[r.runner_up]
        p = r.probabilities
        size = 56 if len(top) <= 2 else 24
        # Room for the whole name: centred in a narrower label, its first letter is cut off.
        font = QtGui.QFont(self.verdict.font())
        font.setPointSize(size)
        font.setBold(True)
        self.verdict.setMinimumWidth(max(120, QtGui.QFontMetrics(font).horizontalAdvance(top) + 16))
        self.verdict.setText(
            f"<div style='font-size:{size}pt; font-weight:bold; color:#0072B2'>{top}</div>"
            f"<div style='font-size:14pt'>{100 * p[r.top]:.0f} % sure</div>"
            f"<div style='font-size:11pt; color:#8a5a00'>runner-up: {second} ({100 * p[r.runner_up]:.0f} %)</div>")
        self.bars.set_values(p, r.top, r.runner_up, names)
        if reader.reads_digits and not self._label_set:
            self._setting_label = True
            self.my_digits.label.setValue(r.top)
            self._setting_label = False
        self.seen.set_array(r.prep.pixels)
        self.evidence_top.set_rgba(evidence_rgba(r.prep.pixels, r.evidence[0]))
        self.evidence_second.set_rgba(evidence_rgba(r.prep.pixels, r.evidence[1]))
        self.evidence_top_label.setText(f"Evidence for {top}")
        self.evidence_second_label.setText(f"For {second} (runner-up)")
        self.hidden.set_layers(r.hidden, "This network has no hidden layers.")
