"""Compare…: which setting the twins differ in, and two to four values of it.

The dialog starts with values worth comparing for the chosen setting (choices.py) and checks
every change with the engine's own rules (parse_vary, twins): a twin that cannot be built says
why, inline, and Start stays off. When the twins cannot share their initial weights (different
layer sizes or initialisation) the start note says so before anything trains.
"""
from __future__ import annotations

import html

from playground.core.compare import MAX_TWINS, VARIABLE, parse_vary, start_note, twins as make_twins
from playground.core.errors import SpecError

from .._qt import QtCore, QtWidgets
from .. import settings as st
from ..labels import ACTIVATION_LABELS, DATASET_LABELS, OPTIMIZER_LABELS
from .choices import OPTIONS, ORDER, option_label, suggestions


def describe(base) -> str:
    """The current run in a few words: what every twin has in common."""
    s = base.to_settings()
    acts = " / ".join(ACTIVATION_LABELS.get(a, a) for a in dict.fromkeys(s["hidden_activations"]))
    return (f"{DATASET_LABELS.get(s['dataset'], s['dataset'])}, layers {'-'.join(map(str, base.network.sizes))}"
            f"{' (' + acts + ')' if acts else ''}, {OPTIMIZER_LABELS.get(s['optimizer'], s['optimizer'])} "
            f"η {s['eta']:g}, batch {s['batch_size']}, seed {s['seed']}")


class CompareDialog(QtWidgets.QDialog):
    def __init__(self, base, parent=None, key: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        self.base = base
        self._settings = base.to_settings()
        self.twins: list = []
        self.fields: list[QtWidgets.QComboBox] = []
        self._remove_buttons: list[QtWidgets.QToolButton] = []

        lay = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(
            "Twin runs are copies of the current run that differ in <b>one</b> setting. They start from "
            "the same seed and train side by side at the same pace.<br><br>"
            f"Current run: {html.escape(describe(base))}")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QtWidgets.QFormLayout()
        self.key_box = QtWidgets.QComboBox()
        self.key_box.setAccessibleName("Setting to vary")
        self.key_box.setToolTip("The one setting in which the twins differ; everything else, even the "
                                "initial weights where the shapes allow, stays the same.")
        for k in [k for k in ORDER if k in VARIABLE] + [k for k in VARIABLE if k not in ORDER]:
            self.key_box.addItem(VARIABLE[k][:1].upper() + VARIABLE[k][1:], k)
        form.addRow("Setting to vary:", self.key_box)
        self.values_box = QtWidgets.QVBoxLayout()
        self.values_box.setSpacing(4)
        form.addRow("Values:", self.values_box)
        self.add_button = QtWidgets.QPushButton("Add a twin")
        self.add_button.setToolTip(f"At most {MAX_TWINS} twins")
        form.addRow("", self.add_button)
        lay.addLayout(form)
        self.hint = QtWidgets.QLabel()
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.error = QtWidgets.QLabel()
        self.error.setObjectName("compareError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("QLabel#compareError { background: #fde8e8; color: #8a1010; border: 1px solid "
                                 "#d33; border-radius: 4px; padding: 6px; }")
        self.error.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.error.hide()
        lay.addWidget(self.error)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("compareNote")
        self.note.setStyleSheet("QLabel#compareNote { background: #fff4d6; border: 1px solid #e0b040; "
                                "border-radius: 4px; padding: 6px; }")
        self.note.hide()
        lay.addWidget(self.note)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok | QtWidgets.QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QtWidgets.QDialogButtonBox.Ok)
        self.ok_button.setText("Start twins")
        self.ok_button.setToolTip("Build the twins and start them together on the Compare page")
        self.buttons.button(QtWidgets.QDialogButtonBox.Cancel).setToolTip("Close without starting anything")
        lay.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(lambda: self._add_field(""))
        self.key_box.currentIndexChanged.connect(self._on_key)
        start = key if key in VARIABLE else st.value("compare/key", "activation")
        i = self.key_box.findData(start if start in VARIABLE else "activation")
        self.key_box.setCurrentIndex(max(i, 0))
        self._on_key()

    # ------------------------------------------------------------------ fields
    @property
    def key(self) -> str:
        return self.key_box.currentData()

    def _on_key(self, *_args) -> None:
        for _ in range(len(self.fields)):
            self._drop_field(0, check=False)
        for v in suggestions(self.key, self._settings):
            self._add_field(v, check=False)
        cur = self._settings.get(self.key)
        self.hint.setText(f"The current run has {html.escape(self._current_text(cur))}. "
                          + ("Pick a value for each twin." if self.key in OPTIONS else
                             "Type a value for each twin" + (" (layer sizes joined by '-', e.g. 30-30)."
                                                             if self.key == "hidden" else ".")))
        self._check()

    def _current_text(self, cur) -> str:
        if self.key == "hidden":
            return "-".join(map(str, cur)) + " hidden units" if cur else "no hidden layer"
        if self.key in OPTIONS:
            return option_label(self.key, cur)
        return f"{VARIABLE[self.key]} {cur:g}" if isinstance(cur, (int, float)) else f"{VARIABLE[self.key]} {cur}"

    def _add_field(self, value: str, check: bool = True) -> None:
        if len(self.fields) >= MAX_TWINS:
            return
        box = QtWidgets.QComboBox()
        n = len(self.fields) + 1
        box.setAccessibleName(f"Value of twin {n}")
        box.setToolTip(f"The value twin {n} uses; it also names the twin in the legends")
        options = OPTIONS.get(self.key)
        if options:
            for k, text in options.items():
                box.addItem(text, k)
            i = box.findData(value)
            if i < 0:           # a new field: the first option no twin has yet
                taken = {self.value_text(j) for j in range(len(self.fields))}
                i = next((box.findData(k) for k in options if k not in taken), 0)
            box.setCurrentIndex(i)
            box.currentIndexChanged.connect(self._check)
        else:
            box.setEditable(True)
            box.setInsertPolicy(QtWidgets.QComboBox.NoInsert)
            for v in suggestions(self.key, self._settings):
                box.addItem(v)
            box.setEditText(value)
            box.editTextChanged.connect(self._check)
        remove = QtWidgets.QToolButton()
        remove.setText("−")
        remove.setToolTip("Remove this twin")
        remove.setAccessibleName(f"Remove twin {n}")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(box, 1)
        row.addWidget(remove)
        self.values_box.addLayout(row)
        self.fields.append(box)
        self._remove_buttons.append(remove)
        remove.clicked.connect(lambda _=False, b=box: self._drop_field(self.fields.index(b)))
        if check:
            self._check()
            box.setFocus()

    def _drop_field(self, i: int, check: bool = True) -> None:
        box, remove = self.fields.pop(i), self._remove_buttons.pop(i)
        row = self.values_box.takeAt(i)
        for w in (box, remove):
            w.setParent(None)
            w.deleteLater()
        row.layout().deleteLater() if row is not None and row.layout() is not None else None
        if check:
            self._check()

    def value_text(self, i: int) -> str:
        box = self.fields[i]
        return box.currentData() if not box.isEditable() else box.currentText().strip()

    def vary_text(self) -> str:
        """What the fields say, as ``nn-playground compare --vary`` takes it."""
        return f"{self.key}=" + ",".join(self.value_text(i) for i in range(len(self.fields)))

    # ------------------------------------------------------------------ checking
    def _check(self, *_args) -> bool:
        self.add_button.setEnabled(len(self.fields) < MAX_TWINS)
        for b in self._remove_buttons:
            b.setEnabled(len(self.fields) > 2)
        self.twins = []
        try:
            key, values = parse_vary(self.vary_text())
            twins = make_twins(self.base, key, values)
            labels = [t.label for t in twins]
        except SpecError as e:
            self.error.setText(str(e))
            self.error.show()
            self.note.hide()
            self.ok_button.setEnabled(False)
            return False
        self.error.hide()
        note = start_note(twins)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.twins = twins
        self.ok_button.setEnabled(True)
        self.ok_button.setToolTip("Start " + " · ".join(labels))
        return True

    def accept(self) -> None:
        if not self._check():
            return
        st.set_value("compare/key", self.key)
        super().accept()
