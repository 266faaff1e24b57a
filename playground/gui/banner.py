"""A message strip across the top of the centre area (divergence, errors, hints), with action buttons.

Compact: text, buttons and the close button share one row, so on a 1280 x 800 screen the plots
under it keep their height. A note ("info": settings adjusted, learning rate lowered) goes by
itself after INFO_SECONDS, unless the pointer rests on it; errors and warnings stay until closed."""
from __future__ import annotations

from ._qt import QtCore, QtWidgets
from . import tooltips

INFO_SECONDS = 15.0
KINDS = {"error": ("#fde8e8", "#8a1010", "#d33"), "warning": ("#fff4d6", "#6b4a00", "#e0a800"),
         "info": ("#e3f0ff", "#0a3d7a", "#5b9bd5")}


class Banner(QtWidgets.QFrame):
    sigAction = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(8, 2, 2, 2)
        row.setSpacing(6)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        row.addWidget(self.text, 1)
        self.buttons_box = QtWidgets.QHBoxLayout()
        self.buttons_box.setSpacing(4)
        row.addLayout(self.buttons_box)
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip(tooltips.BANNER_CLOSE)
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        row.addWidget(self.close_button, 0, QtCore.Qt.AlignTop)
        self._buttons: list[QtWidgets.QPushButton] = []
        self.kind = ""
        self.timeout = QtCore.QTimer(self)
        self.timeout.setSingleShot(True)
        self.timeout.setInterval(int(INFO_SECONDS * 1000))
        self.timeout.timeout.connect(self.hide)
        self.hide()

    def show_message(self, kind: str, html: str, actions: list[tuple[str, str]] = ()) -> None:
        bg, fg, border = KINDS.get(kind, KINDS["info"])
        self.kind = kind
        self.setStyleSheet(f"QFrame#banner {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }}"
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
            self.buttons_box.addWidget(b, 0, QtCore.Qt.AlignTop)
            self._buttons.append(b)
        self.show()
        if kind == "info" and not self.underMouse():
            self.timeout.start()
        else:
            self.timeout.stop()

    def enterEvent(self, event) -> None:  # noqa: N802
        self.timeout.stop()            # someone is reading it (or reaching for Undo)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        if self.kind == "info" and self.isVisible():
            self.timeout.start()
        super().leaveEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.timeout.stop()
        super().hideEvent(event)

    def action_button(self, key_label: str):
        for b in self._buttons:
            if b.text() == key_label:
                return b
        return None
