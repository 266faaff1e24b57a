"""The window's keys (Space, N, E, R, Shift+R, S, Esc) work wherever the keyboard focus is.

A spin box keeps the keyboard after Enter, and Qt lets a focused spin box swallow Space and
letters, so after typing a new learning rate Space blanked the field instead of pausing. Here:

* Enter commits the value and hands the focus back to the window;
* Esc abandons an unfinished edit and hands the focus back (anywhere else it just leaves the field);
* while a field holds a typed, not yet committed value it keeps every key (it is being edited);
  otherwise a key that is one of the window's shortcuts goes to that shortcut.
"""
from __future__ import annotations

from ._qt import QtCore, QtGui, QtWidgets
from . import filters

ENTER = (QtCore.Qt.Key_Return, QtCore.Qt.Key_Enter)


def being_edited(spin: QtWidgets.QAbstractSpinBox) -> bool:
    """True while the field shows typed text that is not its committed value yet."""
    value = spin.value()
    shown = spin.textFromValue(value) if hasattr(spin, "textFromValue") else str(value)
    return spin.cleanText() != shown


def give_focus_back(widget: QtWidgets.QWidget, revert: bool = False) -> None:
    if revert and isinstance(widget, QtWidgets.QAbstractSpinBox):
        widget.setValue(widget.value())          # shows the committed value again
    window = widget.window()
    widget.clearFocus()
    window.setFocus(QtCore.Qt.OtherFocusReason)


class FieldKeys(QtCore.QObject):
    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QtCore.QEvent.ShortcutOverride:
            if not being_edited(obj) and _is_window_shortcut(obj.window(), event):
                event.ignore()           # not claimed: Qt runs the window's shortcut
                return True
        elif kind == QtCore.QEvent.KeyPress and event.key() in ENTER:
            obj.interpretText()          # commits (valueChanged) before the focus leaves
            give_focus_back(obj)
            return True
        return False


def _is_window_shortcut(window: QtWidgets.QWidget, event: QtGui.QKeyEvent) -> bool:
    seq = QtGui.QKeySequence(event.keyCombination())
    return any(a.shortcut() == seq for a in window.findChildren(QtGui.QAction))


_filter: FieldKeys | None = None


def install(*widgets) -> None:
    """Give every spin box inside these widgets the behaviour above."""
    global _filter
    if _filter is None:
        _filter = FieldKeys(QtWidgets.QApplication.instance())
    filters.install(_filter, widgets, (QtWidgets.QAbstractSpinBox,))


def install_escape(window: QtWidgets.QWidget) -> QtGui.QShortcut:
    """Esc anywhere in the window: an unfinished edit is abandoned, the focus goes back to the window
    (a spin box does not claim Esc, so this shortcut sees it in a field too)."""
    sc = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key_Escape), window)
    sc.setContext(QtCore.Qt.WindowShortcut)
    sc.activated.connect(lambda: give_focus_back(QtWidgets.QApplication.focusWidget() or window, revert=True))
    return sc
