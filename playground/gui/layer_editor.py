"""Hidden layers edited directly: one row per layer with a neuron-count spin box, its activation,
and a remove button; an "Add hidden layer" button below. Input and output sizes come from the dataset."""
from __future__ import annotations

from ._qt import QtCore, QtWidgets
from . import fieldkeys, tooltips, wheelguard
from .labels import ACTIVATION_LABELS
from .limits import LimitedSpinBox, NoteLabel, attach

MAX_NEURONS = 4096      # the GUI's limit (the engine allows more): wider layers are not interactive
MAX_HIDDEN = 8


class LayerRow(QtWidgets.QWidget):
    sigChanged = QtCore.Signal()
    sigRemove = QtCore.Signal(object)

    def __init__(self, index: int, size: int, activation: str, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(20)
        self.size = LimitedSpinBox(1, MAX_NEURONS, above="At most {limit} units per layer",
                                   below="At least {limit} unit per layer")
        self.size.setValue(size)
        self.size.setSuffix(" units")
        self.activation = QtWidgets.QComboBox()
        for key, text in ACTIVATION_LABELS.items():
            self.activation.addItem(text, key)
        self.activation.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.activation.setMinimumContentsLength(6)
        self.set_activation(activation)
        self.remove = QtWidgets.QToolButton()
        self.remove.setText("−")
        lay.addWidget(self.label)
        lay.addWidget(self.size, 1)
        lay.addWidget(self.activation, 1)
        lay.addWidget(self.remove)
        self.set_index(index)
        self.size.valueChanged.connect(self.sigChanged)
        self.activation.currentIndexChanged.connect(self.sigChanged)
        self.remove.clicked.connect(lambda: self.sigRemove.emit(self))
        wheelguard.guard(self)
        fieldkeys.install(self)

    def set_index(self, i: int) -> None:
        self.label.setText(f"H{i + 1}")
        self.label.setToolTip(f"Hidden layer {i + 1}")
        self.size.setAccessibleName(f"Neurons in hidden layer {i + 1}")
        self.activation.setAccessibleName(f"Activation of hidden layer {i + 1}")
        tooltips.layer_tips(self, i + 1)

    def set_activation(self, key: str) -> None:
        i = self.activation.findData(key)
        self.activation.setCurrentIndex(max(i, 0))


class LayerEditor(QtWidgets.QWidget):
    sigChanged = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[LayerRow] = []
        self._per_layer = False
        self._shared = "tanh"
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.input_label = QtWidgets.QLabel()
        self.rows_box = QtWidgets.QVBoxLayout()
        self.add_button = QtWidgets.QPushButton("+ Add hidden layer")
        self.add_button.clicked.connect(self._on_add)
        self.output_label = QtWidgets.QLabel()
        outer.addWidget(self.input_label)
        outer.addLayout(self.rows_box)
        self.note = NoteLabel()
        outer.addWidget(self.note)
        outer.addWidget(self.add_button)
        outer.addWidget(self.output_label)
        self.set_io(2, 2)

    # ------------------------------------------------------------------ state
    def set_io(self, n_in: int, n_out: int) -> None:
        self.input_label.setText(f"Input: <b>{n_in}</b> units (the data)")
        self.output_label.setText(f"Output: <b>{n_out}</b> units (one per class)")

    def sizes(self) -> list[int]:
        return [r.size.value() for r in self._rows]

    def activations(self) -> list[str]:
        if not self._per_layer:
            return [self._shared] * len(self._rows)
        return [r.activation.currentData() for r in self._rows]

    def set_layers(self, sizes, activations) -> None:
        noted = [i for i, r in enumerate(self._rows) if r.size.value() == self.note.clamped]
        with QtCore.QSignalBlocker(self):
            for r in list(self._rows):
                self._drop(r)
            for s, a in zip(sizes, activations):
                self._append(int(s), a)
        # The note speaks of one row's clamped size: it stays only while that row still shows it.
        if not any(i < len(self._rows) and self._rows[i].size.value() == self.note.clamped for i in noted):
            self.note.recheck(None)
        self._refresh()

    def set_per_layer(self, on: bool) -> None:
        self._per_layer = bool(on)
        self._refresh()

    def set_shared_activation(self, key: str) -> None:
        self._shared = key
        for r in self._rows:
            with QtCore.QSignalBlocker(r.activation):
                r.set_activation(key)

    # ------------------------------------------------------------------ rows
    def _append(self, size: int, activation: str) -> None:
        row = LayerRow(len(self._rows), size, activation)
        row.sigChanged.connect(self.sigChanged)
        row.sigRemove.connect(self._on_remove)
        attach(row.size, self.note)
        self._rows.append(row)
        self.rows_box.addWidget(row)

    def _drop(self, row: LayerRow) -> None:
        self._rows.remove(row)
        self.rows_box.removeWidget(row)
        row.setParent(None)
        row.deleteLater()

    def _on_add(self) -> None:
        size = self._rows[-1].size.value() if self._rows else 8
        act = self._rows[-1].activation.currentData() if self._rows else self._shared
        self._append(size, act if self._per_layer else self._shared)
        self._refresh()
        self.sigChanged.emit()

    def _on_remove(self, row: LayerRow) -> None:
        self._drop(row)
        self._refresh()
        self.sigChanged.emit()

    def _refresh(self) -> None:
        for i, r in enumerate(self._rows):
            r.set_index(i)
            # Always shown (greyed while all layers share one activation): each row says what its
            # layer computes, and the panel is as wide in both modes, so nothing is clipped.
            r.activation.setEnabled(self._per_layer)
        self.add_button.setEnabled(len(self._rows) < MAX_HIDDEN)
