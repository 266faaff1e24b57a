"""Views for image datasets: first-layer weights as 28x28 pictures, the test confusion matrix,
and a gallery of misclassified test images with the network's top-3 guesses."""
from __future__ import annotations

import math

import numpy as np

from ._qt import QtCore, QtGui, QtWidgets, pg
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
        self._lut = np.asarray(theme.diverging_lut(), np.uint8)
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


class ConfusionMatrixView(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = self.addPlot()
        self.plot.setTitle("Confusion matrix on the test set", size=f"{theme.TITLE_PT}pt")
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        font = QtGui.QFont()
        font.setPointSize(theme.TICK_PT)
        for ax in ("left", "bottom"):
            self.plot.getAxis(ax).setTickFont(font)
        self.plot.setLabel("left", "true class", **{"font-size": f"{theme.AXIS_LABEL_PT}pt"})
        self.plot.setLabel("bottom", "predicted class", **{"font-size": f"{theme.AXIS_LABEL_PT}pt"})
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(theme.sequential_lut())
        self.plot.addItem(self.image)
        self.texts: list[pg.TextItem] = []
        self.k = 0
        self.dataset = "mnist"

    def configure(self, k: int, dataset: str) -> None:
        self.dataset = dataset
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        self.k = k
        ticks = [(i + 0.5, class_name(dataset, i)) for i in range(k)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.getAxis("left").setTicks([ticks])
        for i in range(k):
            for j in range(k):
                t = pg.TextItem("", anchor=(0.5, 0.5), color="k")
                f = QtGui.QFont()
                f.setPointSize(theme.TICK_PT - 1)
                t.setFont(f)
                t.setPos(j + 0.5, i + 0.5)
                self.plot.addItem(t)
                self.texts.append(t)
        self.image.setImage(np.zeros((k, k), np.float32), autoLevels=False, levels=(0.0, 1.0))
        self.plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def set_matrix(self, conf: np.ndarray) -> None:
        k = conf.shape[0]
        if k != self.k:
            self.configure(k, self.dataset)
        rows = conf.sum(axis=1, keepdims=True).astype(float)
        share = np.divide(conf, rows, out=np.zeros(conf.shape, float), where=rows > 0)
        # Colour by row share so the diagonal reads as recall; text shows raw counts.
        self.image.setImage(np.sqrt(share).astype(np.float32), autoLevels=False, levels=(0.0, 1.0))
        for i in range(k):
            for j in range(k):
                t = self.texts[i * k + j]
                t.setText(str(int(conf[i, j])) if conf[i, j] else "")
                t.setColor("w" if share[i, j] > 0.45 else "k")


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
        self.header = QtWidgets.QLabel("Misclassified test images appear here at the end of each epoch.")
        self.header.setWordWrap(True)
        self.grid.addWidget(self.header, 0, 0, 1, 6)
        self.scale = 3

    def set_mistakes(self, mistakes, x_test, shape, dataset: str, accuracy: float) -> None:
        for c in self.cells:
            self.grid.removeWidget(c)
            c.deleteLater()
        self.cells = []
        n_err = len(mistakes)
        self.header.setText(f"<b>Most confident mistakes</b> (test accuracy {accuracy:.1%}); "
                            f"true class → top-3 guesses" if n_err else "No misclassified test images.")
        for n, (idx, true, top) in enumerate(mistakes):
            img = np.clip(np.asarray(x_test[idx], np.float32).reshape(shape) * 255, 0, 255).astype(np.uint8)
            img = np.ascontiguousarray(255 - img)  # dark ink on white reads better projected
            q = QtGui.QImage(img.data, shape[1], shape[0], shape[1], QtGui.QImage.Format_Grayscale8).copy()
            pix = QtGui.QPixmap.fromImage(q).scaled(shape[1] * self.scale, shape[0] * self.scale)
            cell = QtWidgets.QWidget()
            v = QtWidgets.QVBoxLayout(cell)
            v.setContentsMargins(2, 2, 2, 2)
            pic = QtWidgets.QLabel()
            pic.setPixmap(pix)
            pic.setAlignment(QtCore.Qt.AlignCenter)
            text = QtWidgets.QLabel(f"<b>true {class_name(dataset, true)}</b><br>" + "<br>".join(
                f"{class_name(dataset, k)}: {p:.1%}" for k, p in top))
            text.setAlignment(QtCore.Qt.AlignCenter)
            v.addWidget(pic)
            v.addWidget(text)
            self.cells.append(cell)
        self._cols = 0
        self._relayout()

    def _relayout(self) -> None:
        cell_w = max((c.sizeHint().width() for c in self.cells), default=100) + self.grid.spacing()
        cols = max(1, (self.viewport().width() - 8) // cell_w)
        if cols == getattr(self, "_cols", 0):
            return
        self._cols = cols
        for c in self.cells:
            self.grid.removeWidget(c)
        for n, c in enumerate(self.cells):
            self.grid.addWidget(c, 1 + n // cols, n % cols)
        self.grid.setRowStretch(1 + (len(self.cells) + cols - 1) // cols, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()
