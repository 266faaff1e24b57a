"""A spin box that a passing mouse wheel leaves alone: scrolling a page over it must not change
a setting; the wheel works once the box has focus (clicked or tabbed into)."""
from ._qt import QtCore, QtWidgets


class QuietSpinBox(QtWidgets.QSpinBox):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.setFocusPolicy(QtCore.Qt.StrongFocus)

    def wheelEvent(self, e) -> None:  # noqa: N802
        if self.hasFocus():
            super().wheelEvent(e)
        else:
            e.ignore()
