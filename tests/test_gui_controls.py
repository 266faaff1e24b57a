"""The controls as a teacher meets them: a wheel passing over fields, keys after typing a value,
values out of range, a finished run, the window's title and first size, Reset (new seed)."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, wait_steps  # noqa: F401
from playground.gui._qt import QtCore, QtWidgets

QTest = pytest.importorskip("PySide6.QtTest").QTest
Qt = QtCore.Qt
pytestmark = pytest.mark.timeout(240)


def wheel(window, widget, notches: int) -> None:
    """A real (window-system) wheel event over the middle of ``widget``; negative scrolls down."""
    pos = widget.mapTo(window, widget.rect().center())
    QTest.wheelEvent(window.windowHandle(), QtCore.QPointF(pos), QtCore.QPoint(0, 120 * notches))
    QtWidgets.QApplication.processEvents()


def scrolled_panel(qtbot, w):
    w.resize(1100, 420)                     # short enough that the controls panel scrolls
    qtbot.waitUntil(lambda: w.controls_scroll.verticalScrollBar().maximum() > 100, timeout=5000)
    return w.controls_scroll.verticalScrollBar()


@pytest.mark.parametrize("field", ["hidden units", "eta", "output", "batch"])
def test_wheel_over_an_unfocused_field_scrolls_the_panel(qtbot, gui, field):
    w, c = gui
    bar = scrolled_panel(qtbot, w)
    controls = w.controls
    widget = {"hidden units": controls.layers._rows[0].size, "eta": controls.eta, "output": controls.output,
              "batch": controls.batch_size}[field]
    w.controls_scroll.ensureWidgetVisible(widget, 0, 120)
    qtbot.wait(20)
    value = widget.value() if hasattr(widget, "value") else widget.currentIndex()
    trainer, top = c.trainer, bar.value()
    notches = -1 if top < bar.maximum() else 1
    wheel(w, widget, notches)
    assert (widget.value() if hasattr(widget, "value") else widget.currentIndex()) == value
    assert bar.value() != top, "the panel did not scroll"
    assert c.trainer is trainer and not widget.hasFocus()


def test_a_focused_field_still_takes_the_wheel(qtbot, gui):
    w, c = gui
    scrolled_panel(qtbot, w)
    size = w.controls.layers._rows[0].size
    w.controls_scroll.ensureWidgetVisible(size, 0, 120)
    qtbot.mouseClick(size.lineEdit(), Qt.LeftButton)
    assert size.hasFocus()
    bar = w.controls_scroll.verticalScrollBar()
    top = bar.value()
    wheel(w, size, 1)
    assert size.value() == 13 and c.network.spec.sizes == (2, 13, 12, 2)
    assert bar.value() == top


def test_wheel_over_the_speed_box_changes_nothing(qtbot, gui):
    w, c = gui
    before = w.speed_key()
    assert before == "normal"                # the middle entry: a wheel either way would change it
    wheel(w, w.speed, -1)
    assert w.speed_key() == before
    wheel(w, w.speed, 1)
    assert w.speed_key() == before


# ---------------------------------------------------------------------------------- keys
def focus_widget(w):
    return QtWidgets.QApplication.focusWidget() or w


def test_enter_commits_and_hands_the_keys_back_to_the_window(qtbot, gui):
    w, c = gui
    w.activateWindow()
    eta = w.controls.eta
    qtbot.mouseClick(eta.lineEdit(), Qt.LeftButton)
    eta.selectAll()
    qtbot.keyClicks(eta, "0.01")
    qtbot.keyClick(eta, Qt.Key_Space)         # still being edited: the field keeps the key
    assert not c.run_active and eta.hasFocus()
    qtbot.keyClick(eta, Qt.Key_Return)
    assert eta.value() == pytest.approx(0.01) and c.trainer.config.eta == pytest.approx(0.01)
    assert not eta.hasFocus()
    qtbot.keyClick(focus_widget(w), Qt.Key_Space)          # Space plays
    assert c.run_active
    wait_steps(qtbot, c, 5)
    qtbot.keyClick(focus_widget(w), Qt.Key_Space)          # ... and pauses
    qtbot.waitUntil(lambda: c.phase == "paused", timeout=5000)
    qtbot.keyClick(focus_widget(w), Qt.Key_S)              # S stops
    qtbot.waitUntil(lambda: not c.run_active, timeout=10000)
    assert c.phase == "stopped"
    qtbot.keyClick(focus_widget(w), Qt.Key_R)              # R resets
    assert c.trainer.step == 0 and c.phase == "ready"


def test_window_keys_work_with_the_focus_on_a_field_not_being_edited(qtbot, gui):
    w, c = gui
    for field in (w.controls.batch_size, w.controls.output, w.controls.per_layer):
        field.setFocus()
        assert field.hasFocus()
        before = (field.value() if hasattr(field, "value") else field.currentIndex()
                  if hasattr(field, "currentIndex") else field.isChecked())
        qtbot.keyClick(field, Qt.Key_Space)
        assert c.run_active, type(field).__name__
        qtbot.keyClick(field, Qt.Key_S)
        qtbot.waitUntil(lambda: not c.run_active, timeout=10000)
        after = (field.value() if hasattr(field, "value") else field.currentIndex()
                 if hasattr(field, "currentIndex") else field.isChecked())
        assert after == before
        assert QtWidgets.QApplication.activePopupWidget() is None


def test_escape_abandons_an_edit_and_leaves_the_field(qtbot, gui):
    w, c = gui
    size = w.controls.layers._rows[0].size
    qtbot.mouseClick(size.lineEdit(), Qt.LeftButton)
    size.selectAll()
    qtbot.keyClicks(size, "99")
    qtbot.keyClick(size, Qt.Key_Escape)
    assert size.value() == 12 and size.text() == "12 units" and not size.hasFocus()
    assert c.network.spec.sizes == (2, 12, 12, 2)
    w.controls.output.setFocus()
    qtbot.keyClick(w.controls.output, Qt.Key_Escape)
    assert not w.controls.output.hasFocus()


# -------------------------------------------------------------------------- out of range
def type_value(qtbot, field, text):
    qtbot.mouseClick(field.lineEdit(), Qt.LeftButton)
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)


@pytest.fixture
def app_font():
    """The application's font size as make_app sets it (notes wrap as on screen), before the window."""
    from playground.gui import theme

    app = QtWidgets.QApplication.instance()
    old = app.font()
    font = app.font()
    font.setPointSizeF(max(font.pointSizeF(), theme.BASE_POINT_SIZE))
    app.setFont(font)
    yield
    app.setFont(old)


def test_out_of_range_values_are_explained_next_to_the_field(qtbot, app_font, gui):
    w, c = gui
    controls = w.controls
    row = controls.layers._rows[0]
    type_value(qtbot, row.size, "100000000")
    assert row.size.value() == 4096 and c.network.spec.sizes == (2, 4096, 12, 2)
    note = controls.layers.note
    assert note.isVisibleTo(w) and "At most 4,096 units per layer" in note.text() and "100,000,000" in note.text()
    type_value(qtbot, row.size, "30")                         # a value in range clears the note
    assert row.size.value() == 30 and not note.isVisibleTo(w)

    type_value(qtbot, controls.batch_size, "100000")
    assert controls.batch_size.value() == 65536
    assert "At most 65,536 examples per batch" in controls.batch_note.text()

    n = len(c.dataset.y_train)
    type_value(qtbot, controls.batch_size, str(n))
    assert controls.batch_note.isVisibleTo(w)
    assert controls.batch_note.text().startswith(f"Batch {n:,} = the whole training set")
    type_value(qtbot, controls.batch_size, str(n + 100))
    assert f"Batch {n + 100:,} > {n:,} training examples" in controls.batch_note.text()
    type_value(qtbot, controls.batch_size, "10")
    assert not controls.batch_note.isVisibleTo(w) and c.trainer.config.batch_size == 10

    type_value(qtbot, controls.dropout, "3")
    assert controls.dropout.value() == pytest.approx(0.95)


def test_a_cancelled_reset_takes_the_limit_note_away(qtbot, gui, answers):
    w, c = gui
    w.act_step.trigger()
    qtbot.waitUntil(lambda: c.trainer.step >= 1, timeout=150000)
    answers.answer = False                                    # "Reset the network?" -> Cancel
    row = w.controls.layers._rows[0]
    type_value(qtbot, row.size, "100000000")
    assert answers.asked == ["Reset the network?"]
    assert w.controls.layers.sizes() == [12, 12]              # back as it was
    assert not w.controls.layers.note.isVisibleTo(w), w.controls.layers.note.text()


def test_a_wrapped_note_is_never_cut_off(qtbot, app_font, gui):
    w, c = gui
    bar = w.controls_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    type_value(qtbot, w.controls.batch_size, "1000")
    qtbot.wait(100)
    note = w.controls.batch_note
    assert "Batch 1,000 >" in note.text()
    # Wrapped over lines, each of them shown: the scroll area lays out by size hints, not by
    # height-for-width, so the note has to ask for its height itself.
    assert note.height() >= note.heightForWidth(note.width()) > note.fontMetrics().height() * 1.5


def test_a_longer_note_at_the_same_width_is_shown_whole(qtbot, app_font, gui):
    w, c = gui
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("spirals"))
    qtbot.waitUntil(lambda: c.dataset is not None and c.dataset.name == "spirals", timeout=20000)
    n = len(c.dataset.y_train)
    bar = w.controls_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    note = w.controls.batch_note
    for typed in (str(n), "5000"):
        type_value(qtbot, w.controls.batch_size, typed)
        qtbot.wait(50)
    assert f"Batch 5,000 > {n:,} training examples" in note.text()
    assert note.height() >= note.heightForWidth(note.width())

    type_value(qtbot, w.controls.batch_size, "100000")        # clamped: and still the whole set
    assert "At most 65,536 examples per batch" in note.text() and "whole training set" in note.text()


def test_widget_ranges_agree_with_the_engine():
    from playground.core.spec import MAX_BATCH, MAX_LAYER_WIDTH
    from playground.gui.controls import ControlsPanel
    from playground.gui.layer_editor import MAX_NEURONS

    panel = ControlsPanel()
    assert panel.batch_size.maximum() == MAX_BATCH
    assert panel.layers._rows[0].size.maximum() == MAX_NEURONS <= MAX_LAYER_WIDTH


# ----------------------------------------------------------------------- a finished run
@pytest.fixture
def asking_gui(qtbot, isolated_settings, no_leaked_threads):
    """The window with its real "Reset the network?" message box (no stand-in)."""
    from playground.gui.app import create_window

    window, controller = create_window(restore_settings=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window, controller
    window.close()
    for th in (controller.runner_thread, controller.stepper_thread):
        assert th.wait(20000)


def answer_next_box(button, seen):
    """Answer the next modal message box with ``button`` once it is on screen; record its texts."""
    def look():
        box = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(box, QtWidgets.QMessageBox):
            QtCore.QTimer.singleShot(20, look)
            return
        seen.append((box.windowTitle(), box.text(), [b.text() for b in box.buttons()]))
        box.button(button).click()
    QtCore.QTimer.singleShot(0, look)


def test_a_structural_change_on_a_finished_run_asks_first(qtbot, asking_gui):
    w, c = asking_gui
    w.controls.epochs.setValue(3)
    w.set_speed("full")
    w.act_play.trigger()
    qtbot.waitUntil(lambda: c.phase == "done", timeout=120000)
    trainer = c.trainer
    assert len(trainer.history) == 3
    seen = []
    answer_next_box(QtWidgets.QMessageBox.Cancel, seen)
    w.controls.layers._rows[0].size.setValue(30)
    assert seen, "no question was asked"
    title, text, buttons = seen[0]
    assert title == "Reset the network?" and "training so far will be lost" in text
    assert c.trainer is trainer and len(c.trainer.history) == 3 and c.phase == "done"
    assert w.controls.layers.sizes() == [12, 12]
    answer_next_box(QtWidgets.QMessageBox.Yes, seen)
    w.controls.layers._rows[0].size.setValue(30)
    assert len(seen) == 2 and c.trainer is not trainer and c.network.spec.sizes == (2, 30, 12, 2)
    assert c.phase == "ready"


# ------------------------------------------------------------------------ window, reset
def test_title_names_the_app_once(qtbot, gui):
    w, c = gui
    app = QtWidgets.QApplication.instance()
    app.setApplicationDisplayName("NN Playground")
    try:
        w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("circles"))
        title = w.windowTitle()
        # Qt's rule (QPlatformWindow::formatWindowTitle): the display name is appended unless the
        # title already ends with it.
        shown = title if title.endswith(app.applicationDisplayName()) else f"{title} — {app.applicationDisplayName()}"
        assert shown.count("NN Playground") == 1 and "Circles, 2-12-12-2" in shown
    finally:
        app.setApplicationDisplayName("")


def test_reset_with_a_new_seed_keeps_the_toy_data(qtbot, gui):
    w, c = gui
    assert "the data stay the same" in w.act_reset_seed.toolTip()
    x, y = c.dataset.x_train.copy(), c.dataset.y_train.copy()
    params, seed = c.network.params.copy(), w.controls.seed.value()
    w.act_reset_seed.trigger()
    assert w.controls.seed.value() != seed
    assert not np.array_equal(c.network.params, params)      # new weights
    np.testing.assert_array_equal(c.dataset.x_train, x)       # the same points
    np.testing.assert_array_equal(c.dataset.y_train, y)
    w.controls.noise.setValue(0.2)                            # a data setting still makes new data
    assert not np.array_equal(c.dataset.x_train, x)


def test_first_size_uses_a_big_screen_and_fits_a_small_one(qtbot, gui, monkeypatch):
    from playground.gui import mainwindow as app_mod

    w, c = gui
    screen = w.screen()
    for avail, expected in ((QtCore.QRect(0, 0, 1920, 1050), (1728, 945)),
                            (QtCore.QRect(0, 0, 1280, 800), (1264, 752))):
        monkeypatch.setattr(type(screen), "availableGeometry", lambda self, r=avail: r)
        size = app_mod.first_size(w)
        assert (size.width(), size.height()) == expected
