"""Spin boxes and combo boxes ignore a mouse wheel that merely passes over them.

Scrolling a panel full of fields must scroll the panel: Qt's default gives the wheel to whatever
field is under the pointer, which silently changes a layer size or the learning rate mid-lesson.
A guarded field takes the wheel only once it has keyboard focus (clicked or tabbed into); an
unfocused one passes the wheel on to its parent, so the scroll area around it scrolls.
"""
from __future__ import annotations

from ._qt import QtCore, QtWidgets
from . import filters

GUARDED = (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox)


class WheelGuard(QtCore.QObject):
    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Wheel and not obj.hasFocus():
            # Ignored and filtered: Qt offers the same event to the parent widgets next.
            event.ignore()
            return True
        return False


_guard: WheelGuard | None = None


def guard(*widgets) -> None:
    """Guard these fields (and any spin/combo box inside them)."""
    global _guard
    if _guard is None:
        _guard = WheelGuard(QtWidgets.QApplication.instance())
    # StrongFocus, not WheelFocus: a passing wheel must not give the field focus either.
    filters.install(_guard, widgets, GUARDED, prepare=lambda w: w.setFocusPolicy(QtCore.Qt.StrongFocus))
