"""Choosing the longest wording of a label that fits the room a narrow plot or grid leaves it."""
from __future__ import annotations

from ._qt import QtGui


def fit_text(variants, font: QtGui.QFont, width: float) -> str:
    """The first (longest) wording that fits ``width`` pixels; the last one otherwise."""
    fm = QtGui.QFontMetricsF(font)
    for text in variants:
        if fm.horizontalAdvance(text) <= width:
            return text
    return variants[-1] if variants else ""
