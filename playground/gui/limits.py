"""Spin boxes that say so when a typed value is outside their range, instead of clamping silently.

Qt's spin boxes refuse the keystroke that would leave the range, so typing 100000000 units left
"10000" or "1000" in the field with no word why. These accept the whole number as typed, clamp it
when it is committed (Enter or leaving the field), and emit ``sigLimited`` with a sentence for a
person ("At most 4,096 units per layer (you typed 100,000,000).") that a ``NoteLabel`` beside the
field shows until the next committed value.
"""
from __future__ import annotations

from ._qt import QtCore, QtGui, QtWidgets


class _Limited:
    """Shared by the int and float fields; ``_parse`` reads the number the person typed."""

    above = "At most {limit}"
    below = "At least {limit}"

    def _setup(self, lo, hi, above: str | None, below: str | None) -> None:
        self.setRange(lo, hi)
        self.setKeyboardTracking(False)        # one change per Enter / arrow, not per keystroke
        if above:
            self.above = above
        if below:
            self.below = below
        self.message = ""
        self.limited_at = None

    def _number(self, text: str):
        core = text.strip()
        if self.prefix() and core.startswith(self.prefix().strip()):
            core = core[len(self.prefix().strip()):]
        if self.suffix() and core.endswith(self.suffix().strip()):
            core = core[:-len(self.suffix().strip())]
        core = core.strip().replace(self.locale().groupSeparator(), "").replace(",", "").replace("_", "")
        return self._parse(core)

    def validate(self, text, pos):  # noqa: D102
        state, text, pos = _as_tuple(super().validate(text, pos), text, pos)
        if state == QtGui.QValidator.Invalid and self._number(text) is not None:
            # A number out of range: let the person finish typing it; fixup() says what happens.
            return QtGui.QValidator.Intermediate, text, pos
        return state, text, pos

    def fixup(self, text):  # noqa: D102
        n = self._number(text)
        if n is None:
            return text
        if n > self.maximum():
            limit, template = self.maximum(), self.above
        elif n < self.minimum():
            limit, template = self.minimum(), self.below
        else:
            return text
        self.limited_at = limit
        self.message = f"{template.format(limit=self._show(limit))} (you typed {self._show(n)})."
        self.sigLimited.emit(self.message)
        return self.prefix() + self.textFromValue(limit) + self.suffix()

    def _show(self, v) -> str:
        return f"{v:,}" if isinstance(v, int) else f"{v:g}"


def _as_tuple(result, text, pos):
    return result if isinstance(result, tuple) else (result, text, pos)


class LimitedSpinBox(_Limited, QtWidgets.QSpinBox):
    sigLimited = QtCore.Signal(str)

    def __init__(self, lo: int, hi: int, *, above: str | None = None, below: str | None = None, parent=None):
        QtWidgets.QSpinBox.__init__(self, parent)
        self._setup(lo, hi, above, below)

    @staticmethod
    def _parse(core: str):
        return int(core) if core.isdigit() else None


class LimitedDoubleSpinBox(_Limited, QtWidgets.QDoubleSpinBox):
    sigLimited = QtCore.Signal(str)

    def __init__(self, lo: float, hi: float, *, above: str | None = None, below: str | None = None, parent=None):
        QtWidgets.QDoubleSpinBox.__init__(self, parent)
        self._setup(lo, hi, above, below)

    def _parse(self, core: str):
        value, ok = self.locale().toDouble(core)
        if not ok:
            try:
                value = float(core)
            except ValueError:
                return None
        return value if value == value else None


class WrappedLabel(QtWidgets.QLabel):
    """A word-wrapped label in the scrolling controls panel that is never cut off."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        # A longer text at the same width brings no resize event: fit it here too.
        self._fit()

    def _fit(self) -> None:
        # The scroll area around the panel lays out by size hints, not height-for-width: ask for
        # the height the wrapped text needs at the width actually given, or its last line is cut.
        need = self.heightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)


class NoteLabel(WrappedLabel):
    """A short note under a field: what happened to a typed value, or what a value means."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("fieldNote")
        # Margins, not style-sheet padding: QLabel's height-for-width counts only the former, and
        # a wrapped note would be clipped.
        self.setContentsMargins(4, 2, 4, 2)
        self.setStyleSheet("QLabel#fieldNote { color: #6b4a00; background: #fff4d6; border-radius: 3px; }")
        self.about_limit = False
        self.clamped = None         # the value a limit message was about (its field shows it)
        self.extra = None
        self.hide()

    def say(self, text: str | None, about_limit: bool = False) -> None:
        """``about_limit``: the note reports a clamped value (kept until the next commit)."""
        self.about_limit = bool(text) and about_limit
        if not self.about_limit:
            self.clamped = None
        self.setText(text or "")
        self.setVisible(bool(text))

    def recheck(self, value) -> None:
        """``value`` was set with signals blocked (an undo, a loaded state): a limit message about
        another value no longer describes the field, so it goes."""
        if self.about_limit and value != self.clamped:
            self.say(self.extra(value) if self.extra else None)


def attach(field, note: NoteLabel, extra=None) -> None:
    """Show ``field``'s limit messages in ``note``; a later in-range commit clears it (or shows
    ``extra(value)``, a standing remark about the new value, if there is one)."""
    note.extra = extra
    field.limit_note = note

    def limited(text):
        note.say(text, about_limit=True)
        note.clamped = field.limited_at

    field.sigLimited.connect(limited)

    def committed(value):
        clamped, field.limited_at = field.limited_at, None
        if clamped is not None and value == clamped:
            # The clamped value itself: its message stays, with what the value means if anything.
            remark = extra(value) if extra else None
            if remark:
                note.say(f"{field.message} {remark}", about_limit=True)
                note.clamped = clamped
            return
        note.say(extra(value) if extra else None)

    # fixup() runs inside the commit, before valueChanged: the message is already shown here.
    field.valueChanged.connect(committed)
