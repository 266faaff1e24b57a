"""Views for image datasets: first-layer weights as 28x28 pictures and a gallery of misclassified
test images with the network's top-3 guesses (the confusion matrix is in confusion.py)."""
from __future__ import annotations

import math

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets
from . import theme
from .labels import class_name

MAX_TILES = 64


def weight_mosaic(w: np.ndarray, shape=(28, 28), max_tiles: int = MAX_TILES) -> np.ndarray:
    """Tile each hidden unit's incoming weights into one image; each tile scaled to [-1, 1] on its own."""
    n = min(w.shape[0], max_tiles)
    h, wd = shape
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    mosaic = np.full((rows * (h + 1) + 1, cols * (wd + 1) + 1), np.nan, np.float32)
    for t in range(n):
        tile = np.asarray(w[t], np.float32).reshape(h, wd)
        m = float(np.nanmax(np.abs(tile))) or 1.0
        r, c = divmod(t, cols)
        mosaic[1 + r * (h + 1): 1 + r * (h + 1) + h, 1 + c * (wd + 1): 1 + c * (wd + 1) + wd] = tile / m
    return np.nan_to_num(mosaic, nan=0.0)


class WeightImagesView(QtWidgets.QWidget):
    """The mosaic is drawn as one pixmap scaled to fit (keeping square pixels), so it never clips."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        self.title = QtWidgets.QLabel("<b>Input weights of each hidden unit</b> "
                                      "<span style='color:#D55E00'>orange +</span>, "
                                      "<span style='color:#0072B2'>blue −</span> (each tile scaled to its own range)")
        self.title.setWordWrap(True)
        self.picture = QtWidgets.QLabel()
        self.picture.setAlignment(QtCore.Qt.AlignCenter)
        self.picture.setMinimumSize(120, 120)
        self.picture.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Ignored)
        lay.addWidget(self.title)
        lay.addWidget(self.picture, 1)
        self.shape = (28, 28)
        self.mosaic: np.ndarray | None = None
        self._lut = np.asarray(theme.weights_lut(), np.uint8)
        self._pixmap: QtGui.QPixmap | None = None

    def set_weights(self, w0: np.ndarray) -> None:
        self.mosaic = weight_mosaic(w0, self.shape)
        idx = np.clip(((self.mosaic + 1.0) * 0.5 * (len(self._lut) - 1)).round(), 0, len(self._lut) - 1)
        rgb = np.ascontiguousarray(self._lut[idx.astype(np.intp)][..., :3])
        h, w = rgb.shape[:2]
        img = QtGui.QImage(rgb.data, w, h, 3 * w, QtGui.QImage.Format_RGB888).copy()
        self._pixmap = QtGui.QPixmap.fromImage(img)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None:
            return
        size = self.picture.size()
        # Integer-free but unsmoothed scaling keeps the pixels crisp on a projector.
        self.picture.setPixmap(self._pixmap.scaled(size, QtCore.Qt.KeepAspectRatio, QtCore.Qt.FastTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._rescale()

    def reset(self) -> None:
        self.mosaic = None
        self._pixmap = None
        self.picture.clear()


class MistakesGallery(QtWidgets.QScrollArea):
    """Misclassified test images with the top-3 probabilities under each."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.inner = QtWidgets.QWidget()
        self.grid = QtWidgets.QGridLayout(self.inner)
        self.grid.setSpacing(8)
        self.setWidget(self.inner)
        self.cells: list[QtWidgets.QWidget] = []
        self.shown = 0                    # how many of the cells hold a mistake now
        self.header = QtWidgets.QLabel("Misclassified test images appear here at the end of each epoch.")
        self.header.setWordWrap(True)
        self.grid.addWidget(self.header, 0, 0, 1, 6)
        self.scale = 3

    def set_mistakes(self, mistakes, x_test, shape, dataset: str, accuracy: float) -> None:
        # Cells are made once and then reused: building two dozen widgets each epoch took
        # ~100 ms of the GUI thread, a visible stutter in a live run.
        while len(self.cells) < len(mistakes):
            self.cells.append(self._new_cell())
        # One fixed width for every cell (room for the longest class name), so laying the grid
        # out needs no size hints of rich-text labels, which are slow to compute.
        fm = self.fontMetrics()
        width = max([shape[1] * self.scale] + [fm.horizontalAdvance(f"true {class_name(dataset, k)}: 100.0%")
                                               for k in range(10)]) + 12
        for cell in self.cells:
            if cell.width() != width:
                cell.setFixedWidth(width)
        n_err = len(mistakes)
        self.header.setText(f"<b>Most confident mistakes</b> (test accuracy {accuracy:.1%}); "
                            f"true class → top-3 guesses" if n_err else "No misclassified test images.")
        for cell, (idx, true, top) in zip(self.cells, mistakes):
            img = np.clip(np.asarray(x_test[idx], np.float32).reshape(shape) * 255, 0, 255).astype(np.uint8)
            img = np.ascontiguousarray(255 - img)  # dark ink on white reads better projected
            q = QtGui.QImage(img.data, shape[1], shape[0], shape[1], QtGui.QImage.Format_Grayscale8).copy()
            cell.pic.setPixmap(QtGui.QPixmap.fromImage(q).scaled(shape[1] * self.scale, shape[0] * self.scale))
            cell.title.setText(f"true {class_name(dataset, true)}")
            cell.text.setText("\n".join(f"{class_name(dataset, k)}: {p:.1%}" for k, p in top))
        for n, cell in enumerate(self.cells):
            cell.setVisible(n < n_err)
        self.shown = n_err
        self._relayout()

    def _new_cell(self) -> QtWidgets.QWidget:
        cell = QtWidgets.QWidget()
        v = QtWidgets.QVBoxLayout(cell)
        v.setContentsMargins(2, 2, 2, 2)
        cell.pic = QtWidgets.QLabel()
        cell.pic.setAlignment(QtCore.Qt.AlignCenter)
        # Plain text (a bold label for the title): rich-text labels cost a layout pass each.
        cell.title = QtWidgets.QLabel()
        cell.title.setTextFormat(QtCore.Qt.PlainText)
        cell.title.setAlignment(QtCore.Qt.AlignCenter)
        bold = cell.title.font()
        bold.setBold(True)
        cell.title.setFont(bold)
        cell.text = QtWidgets.QLabel()
        cell.text.setTextFormat(QtCore.Qt.PlainText)
        cell.text.setAlignment(QtCore.Qt.AlignCenter)
        v.setSpacing(0)
        v.addWidget(cell.pic)
        v.addWidget(cell.title)
        v.addWidget(cell.text)
        return cell

    def _relayout(self) -> None:
        cell_w = (self.cells[0].width() if self.cells else 100) + self.grid.spacing()
        m = self.grid.contentsMargins()
        cols = max(1, (self.viewport().width() - m.left() - m.right()) // cell_w)
        if (cols, len(self.cells), cell_w) == getattr(self, "_placed", None):
            return
        self._placed = (cols, len(self.cells), cell_w)
        for c in self.cells:
            self.grid.removeWidget(c)
        for n, c in enumerate(self.cells):
            self.grid.addWidget(c, 1 + n // cols, n % cols)
        self.grid.setRowStretch(1 + (len(self.cells) + cols - 1) // cols, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()
