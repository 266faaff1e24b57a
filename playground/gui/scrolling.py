"""A vertical scroll area whose content shares the height there is, down to its minimum, and
scrolls only below that.

QScrollArea sizes a resizable widget by its height-for-width when its layout has one; plots with
a fixed aspect (a square decision boundary) then made every row as tall as the column is wide,
and the content scrolled even on a tall screen. The content sits in a widget that declares no
height-for-width, so the area uses plain minimum sizes.
"""
from __future__ import annotations

from ._qt import QtCore, QtWidgets


class _NoHeightForWidth(QtWidgets.QWidget):
    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return False


def _wrapped(content: QtWidgets.QWidget, cls=QtWidgets.QWidget) -> QtWidgets.QWidget:
    outer = cls()
    lay = QtWidgets.QVBoxLayout(outer)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(content)
    return outer


def shared_height_scroll(content: QtWidgets.QWidget, name: str) -> QtWidgets.QScrollArea:
    area = QtWidgets.QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAsNeeded)
    # The area asks its widget's layout, which asks the wrapper: no height-for-width.
    area.setWidget(_wrapped(_wrapped(content, _NoHeightForWidth)))
    return area
