"""The Draw page's "My digits" row: keep the drawing as an example of a digit, see how many are
kept, ask the reading network how well it reads them (a confusion matrix), export them as IDX."""
from __future__ import annotations

import numpy as np

from playground.core.drawing.mydigits import MyDigits, MyDigitsError

from ._qt import QtCore, QtWidgets
from . import wheelguard
from .confusion import ConfusionMatrixView


class MyDigitsBar(QtWidgets.QWidget):
    sigAdded = QtCore.Signal(int)          # the label a drawing was kept as

    def __init__(self, drawing, reader, parent=None):
        """``drawing()`` -> (28x28 pixels or None, strokes, canvas side, why None); ``reader()`` -> Reader or None."""
        super().__init__(parent)
        self._drawing, self._reader = drawing, reader
        self.store = MyDigits()
        self.label = QtWidgets.QSpinBox()
        self.label.setRange(0, 9)
        self.label.setAccessibleName("Digit to keep the drawing as")
        self.label.setToolTip("Which digit you drew (set to what the network read; change it if it misread)")
        self.add_button = QtWidgets.QPushButton("Add")
        self.add_button.setToolTip("Keep this drawing in your own digits dataset, then clear the canvas")
        self.count = QtWidgets.QLabel()
        self.read_button = QtWidgets.QPushButton("How well?")
        self.read_button.setToolTip("Read every kept drawing with the current network: a confusion matrix")
        self.export_button = QtWidgets.QPushButton("Export IDX…")
        self.export_button.setToolTip("Write your digits as MNIST-style IDX files")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        text = QtWidgets.QLabel("Add to my digits as")
        text.setBuddy(self.label)
        for w in (text, self.label, self.add_button, self.count, self.read_button, self.export_button):
            lay.addWidget(w)
        lay.addStretch(1)
        wheelguard.guard(self.label)
        self.add_button.clicked.connect(self.add)
        self.read_button.clicked.connect(self.show_confusion)
        self.export_button.clicked.connect(lambda: self.export())
        self.dialog = None
        self.refresh_count()

    def refresh_count(self) -> None:
        try:
            n = int(self.store.counts().sum())
        except MyDigitsError:
            n = 0
        self.count.setText(f"({n} kept)")
        self.count.setToolTip(str(self.store.folder))
        self.read_button.setEnabled(n > 0)
        self.export_button.setEnabled(n > 0)

    def add(self) -> bool:
        pixels, strokes, side, reason = self._drawing()
        if pixels is None:
            QtWidgets.QMessageBox.information(self, "Nothing to keep", reason or "Draw a digit first.")
            return False
        label = self.label.value()
        try:
            self.store.add(label, pixels, strokes, side)
        except MyDigitsError as e:
            QtWidgets.QMessageBox.warning(self, "Cannot keep the drawing", str(e))
            return False
        self.refresh_count()
        self.sigAdded.emit(label)
        return True

    def export(self, folder: str | None = None) -> list:
        if folder is None:
            folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Export my digits as IDX files to")
            if not folder:
                return []
        try:
            paths = self.store.export_idx(folder)
        except MyDigitsError as e:
            QtWidgets.QMessageBox.warning(self, "Cannot export my digits", str(e))
            return []
        QtWidgets.QMessageBox.information(self, "My digits exported", "\n".join(str(p) for p in paths))
        return paths

    def confusion(self):
        """(confusion matrix, accuracy, n, reader title) of the reading network on every kept drawing."""
        reader = self._reader()
        x, y, _ = self.store.load()
        if reader is None or len(y) == 0:
            return None
        predicted = np.argmax(reader.network.forward(reader.transform.apply(x)), axis=1)
        conf = np.zeros((10, 10), np.int64)
        np.add.at(conf, (y, predicted), 1)
        return conf, float(np.mean(predicted == y)), len(y), reader.title

    def show_confusion(self) -> None:
        result = self.confusion()
        if result is None:
            return
        conf, acc, n, title = result
        dlg = QtWidgets.QDialog(self)
        dlg.setWindowTitle("How well it reads your digits")
        view = ConfusionMatrixView()
        view.configure(10, "mnist")
        view.set_matrix(conf)
        heading = QtWidgets.QLabel(f"{100 * acc:.0f} % of your {n} {'digit' if n == 1 else 'digits'} read correctly")
        heading.setStyleSheet("font-size: 14pt; font-weight: bold")
        note = QtWidgets.QLabel(f"Read by {title}. Rows: the digit you said you drew; columns: what it read.")
        note.setWordWrap(True)
        lay = QtWidgets.QVBoxLayout(dlg)
        lay.addWidget(heading)
        lay.addWidget(view, 1)
        lay.addWidget(note)
        dlg.resize(520, 560)
        dlg.view, dlg.heading = view, heading
        self.dialog = dlg               # tests reach it here
        dlg.show()
