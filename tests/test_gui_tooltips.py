"""Every control of the window says in a sentence what it does: a walk over all of them."""
from __future__ import annotations

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtCore, QtGui, QtWidgets
from playground.gui import tooltips

pytestmark = pytest.mark.timeout(120)
KINDS = (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox, QtWidgets.QAbstractButton)


def untipped(root):
    """Spin boxes, combo boxes, buttons, check boxes and actions under ``root`` with no tip of their own."""
    out = [w for w in root.findChildren(QtWidgets.QWidget) if isinstance(w, KINDS) and not w.toolTip().strip()]
    for a in root.findChildren(QtGui.QAction):
        if a.isSeparator() or isinstance(a, QtWidgets.QWidgetAction):
            continue
        # Qt answers toolTip() with the action's text when it has no tip: a name, not a sentence.
        if a.toolTip().replace("&", "").strip() in ("", a.text().replace("&", "").strip()):
            out.append(a)
    return out


def test_every_control_and_action_of_the_window_has_a_tooltip(qtbot, gui):
    w, c = gui
    n = len([x for x in w.findChildren(QtWidgets.QWidget) if isinstance(x, KINDS)])
    assert n > 40                                        # the walk really sees the window's controls
    assert untipped(w) == []
    assert tooltips.missing(w) == []
    # Controls made later: a new hidden layer's row, a banner's buttons, the classroom dialogs.
    qtbot.mouseClick(w.controls.layers.add_button, QtCore.Qt.LeftButton)
    qtbot.waitUntil(lambda: len(w.controls.layers.sizes()) == 3, timeout=5000)
    w.banner.show_message("error", "Loss is NaN", [("lower_eta", "Lower η"), ("reset", "Reset")])
    w.act_explorer.trigger()
    assert untipped(w) == []
    assert untipped(w.explorer_dialog) == []
    assert "learning rate" in w.controls.eta.toolTip()


def test_the_presentation_dialog_has_tips_too(qtbot, gui):
    w, c = gui
    seen = []

    def look():
        dlg = QtWidgets.QApplication.activeModalWidget()
        seen.append(untipped(dlg))
        dlg.reject()
    QtCore.QTimer.singleShot(100, look)
    w.act_present_panels.trigger()
    assert seen == [[]]


def test_the_compare_and_lesson_dialogs_explain_their_controls(qtbot, gui):
    from playground.core.runspec import RunSpec
    from playground.gui.compare.dialog import CompareDialog
    from playground.gui.lessons import LessonDialog
    w, c = gui
    compare = CompareDialog(RunSpec.from_settings(c.applied), w)
    qtbot.addWidget(compare)
    lessons = LessonDialog(w)
    qtbot.addWidget(lessons)
    assert len(compare.findChildren(QtWidgets.QComboBox)) >= 1
    assert untipped(compare) == [] and untipped(lessons) == []
