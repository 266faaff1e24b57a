"""Digits drawn by code as a person draws them on the canvas: strokes through hand-written
points (x, y in a unit box, y down), rendered with QPainter's anti-aliased round pen like the
Draw panel's. A point written twice is a sharp corner; elsewhere the stroke curves through.

Used by the drawing tests; importing it needs Qt (QImage and QPainter work without a window).
"""
from __future__ import annotations

import itertools

import numpy as np

from playground.gui._qt import QtCore, QtGui

P = tuple
# Two ways to write each digit; each way is a list of strokes.
DIGITS = {
    0: [
        [[(0.5, 0.05), (0.22, 0.2), (0.18, 0.55), (0.3, 0.88), (0.55, 0.95), (0.78, 0.75), (0.8, 0.4),
          (0.7, 0.12), (0.5, 0.05), (0.45, 0.07)]],
        [[(0.45, 0.08), (0.25, 0.3), (0.25, 0.7), (0.45, 0.93), (0.65, 0.85), (0.75, 0.5), (0.68, 0.15),
          (0.5, 0.05), (0.4, 0.12)]],
    ],
    1: [
        [[(0.5, 0.05), (0.5, 0.95)]],
        [[(0.3, 0.25), (0.55, 0.05), (0.55, 0.05), (0.52, 0.95)]],
    ],
    2: [
        [[(0.2, 0.25), (0.35, 0.08), (0.6, 0.05), (0.78, 0.2), (0.72, 0.42), (0.2, 0.92), (0.2, 0.92),
          (0.85, 0.92)]],
        [[(0.25, 0.2), (0.5, 0.05), (0.75, 0.18), (0.7, 0.45), (0.45, 0.7), (0.22, 0.95), (0.22, 0.95),
          (0.55, 0.9), (0.82, 0.95)]],
    ],
    3: [
        [[(0.2, 0.12), (0.5, 0.04), (0.75, 0.15), (0.72, 0.35), (0.45, 0.48), (0.45, 0.48), (0.75, 0.6),
          (0.78, 0.82), (0.5, 0.95), (0.2, 0.86)]],
        [[(0.2, 0.08), (0.75, 0.08), (0.75, 0.08), (0.45, 0.42), (0.45, 0.42), (0.75, 0.55), (0.75, 0.85),
          (0.45, 0.95), (0.2, 0.85)]],
    ],
    4: [
        [[(0.62, 0.05), (0.62, 0.05), (0.15, 0.65), (0.15, 0.65), (0.85, 0.65)], [(0.62, 0.3), (0.62, 0.95)]],
        [[(0.22, 0.05), (0.22, 0.05), (0.2, 0.55), (0.2, 0.55), (0.8, 0.55)], [(0.72, 0.05), (0.7, 0.95)]],
    ],
    5: [
        [[(0.8, 0.06), (0.8, 0.06), (0.3, 0.06), (0.3, 0.06), (0.25, 0.45), (0.25, 0.45), (0.55, 0.38),
          (0.78, 0.55), (0.75, 0.8), (0.5, 0.95), (0.2, 0.85)]],
        [[(0.3, 0.06), (0.3, 0.06), (0.26, 0.45), (0.26, 0.45), (0.6, 0.4), (0.78, 0.65), (0.6, 0.92),
          (0.25, 0.9)], [(0.3, 0.06), (0.8, 0.06)]],
    ],
    6: [
        [[(0.7, 0.05), (0.4, 0.3), (0.25, 0.6), (0.3, 0.85), (0.5, 0.95), (0.72, 0.82), (0.7, 0.6),
          (0.5, 0.5), (0.28, 0.62)]],
        [[(0.6, 0.05), (0.3, 0.45), (0.27, 0.8), (0.5, 0.95), (0.7, 0.75), (0.55, 0.55), (0.3, 0.7)]],
    ],
    7: [
        [[(0.15, 0.08), (0.15, 0.08), (0.85, 0.08), (0.85, 0.08), (0.4, 0.95)]],
        [[(0.2, 0.1), (0.2, 0.1), (0.8, 0.1), (0.8, 0.1), (0.5, 0.95)], [(0.35, 0.5), (0.75, 0.5)]],
    ],
    8: [
        [[(0.5, 0.5), (0.25, 0.3), (0.5, 0.05), (0.75, 0.28), (0.5, 0.5), (0.22, 0.72), (0.5, 0.95),
          (0.78, 0.72), (0.5, 0.5)]],
        [[(0.7, 0.15), (0.5, 0.05), (0.3, 0.18), (0.35, 0.38), (0.65, 0.6), (0.7, 0.85), (0.5, 0.95),
          (0.3, 0.85), (0.35, 0.6), (0.65, 0.38), (0.7, 0.15)]],
    ],
    9: [
        [[(0.75, 0.25), (0.55, 0.06), (0.3, 0.12), (0.25, 0.32), (0.45, 0.45), (0.7, 0.38), (0.75, 0.25),
          (0.75, 0.25), (0.72, 0.95)]],
        [[(0.72, 0.3), (0.5, 0.08), (0.28, 0.25), (0.4, 0.45), (0.7, 0.32), (0.7, 0.32), (0.6, 0.95)]],
    ],
}

SIDE = 280
# (name, left, top, box size) on the 280x280 canvas
PLACEMENTS = [("large", 30, 30, 220), ("small", 100, 100, 80), ("off-centre", 10, 10, 130),
              ("small corner", 180, 180, 90)]
PENS = [("thin", 6.0), ("thick", 20.0)]


def stroke_path(points, left, top, size) -> QtGui.QPainterPath:
    pts = [QtCore.QPointF(left + x * size, top + y * size) for x, y in points]
    path = QtGui.QPainterPath(pts[0])
    for i in range(1, len(pts) - 1):
        mid = (pts[i] + pts[i + 1]) / 2
        path.quadTo(pts[i], mid)
    path.lineTo(pts[-1])
    return path


def draw(strokes, left, top, size, pen_width, side=SIDE) -> QtGui.QImage:
    img = QtGui.QImage(side, side, QtGui.QImage.Format_Grayscale8)
    img.fill(0)
    p = QtGui.QPainter(img)
    p.setRenderHint(QtGui.QPainter.Antialiasing)
    p.setPen(QtGui.QPen(QtGui.QColor(255, 255, 255), pen_width, QtCore.Qt.SolidLine, QtCore.Qt.RoundCap,
                        QtCore.Qt.RoundJoin))
    for s in strokes:
        p.drawPath(stroke_path(s, left, top, size))
    p.end()
    return img


def to_array(img: QtGui.QImage) -> np.ndarray:
    img = img.convertToFormat(QtGui.QImage.Format_Grayscale8)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, :img.width()]
    return a.astype(np.float32) / 255


def all_drawings():
    """(label, description, QImage) for every digit x way x placement x pen."""
    for (digit, ways), (place, left, top, size), (pen, width) in itertools.product(DIGITS.items(), PLACEMENTS, PENS):
        for k, strokes in enumerate(ways):
            yield digit, f"{digit} way {k + 1}, {place}, {pen} pen", draw(strokes, left, top, size, width)
