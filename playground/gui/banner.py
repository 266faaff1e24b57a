"""A message strip across the top of the centre area (divergence, errors, hints), with action buttons."""
from __future__ import annotations

from ._qt import QtCore, QtWidgets
from . import tooltips

KINDS = {"error": ("#fde8e8", "#8a1010", "#d33"), "warning": ("#fff4d6", "#6b4a00", "#e0a800"),
         "info": ("#e3f0ff", "#0a3d7a", "#5b9bd5")}


class Banner(QtWidgets.QFrame):
    sigAction = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 6, 6)
        top = QtWidgets.QHBoxLayout()
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        top.addWidget(self.text, 1)
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip(tooltips.BANNER_CLOSE)
        self.close_button.clicked.connect(self.hide)
        top.addWidget(self.close_button, 0, QtCore.Qt.AlignTop)
        outer.addLayout(top)
        self.buttons_box = QtWidgets.QHBoxLayout()
        self.buttons_box.addStretch(1)
        outer.addLayout(self.buttons_box)
        self._buttons: list[QtWidgets.QPushButton] = []
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, html: str, actions: list[tuple[str, str]] = ()) -> None:
        bg, fg, border = KINDS.get(kind, KINDS["info"])
        self.kind = kind
        self.setStyleSheet(f"QFrame#banner {{ background: {bg}; border: 2px solid {border}; border-radius: 6px; }}"
                           f" QLabel {{ color: {fg}; }}")
        self.text.setText(html)
        for b in self._buttons:
            self.buttons_box.removeWidget(b)
            b.deleteLater()
        self._buttons = []
        for key, label in actions:
            b = QtWidgets.QPushButton(label)
            b.setToolTip(tooltips.banner_tip(key, label))
            b.clicked.connect(lambda _=False, k=key: self.sigAction.emit(k))
            self.buttons_box.addWidget(b)
            self._buttons.append(b)
        self.show()

    def action_button(self, key_label: str):
        for b in self._buttons:
            if b.text() == key_label:
                return b
        return None
