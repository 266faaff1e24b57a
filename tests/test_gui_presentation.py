"""Presentation mode with real keys and a real dialog: F5 in, F5 or Esc out, and everything back."""
from __future__ import annotations

import json
import re

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtCore, QtWidgets
from playground.gui import presentation
from playground.gui import settings as st

pytestmark = pytest.mark.timeout(120)
Qt = QtCore.Qt


def key(qtbot, w, k):
    """A key pressed in window ``w``: it goes to the widget with the keyboard focus, if in ``w``."""
    focus = QtWidgets.QApplication.focusWidget()
    qtbot.keyClick(focus if focus is not None and focus.window() is w else w, k)


def picture(w):
    """What leaving must put back: geometry, full screen or not, splitter sizes, fonts, pens, hidden widgets."""
    axis = w.plots.loss.getPlotItem().getAxis("left")
    return {"geometry": w.geometry(), "full": w.isFullScreen(), "splitter": w.splitter.sizes(),
            "toy": w.views.toy_page.sizes(), "app_pt": QtWidgets.QApplication.font().pointSizeF(),
            "tick_pt": axis.style["tickFont"].pointSizeF(), "label": dict(axis.labelStyle),
            "title_pt": w.views.boundary.title_label.font().pointSizeF(),
            "sheet_pt": w.controls.dataset_info.font().pointSizeF(),      # a label with a style sheet
            "pen": w.plots.c_train_loss.opts["pen"].widthF(),
            "hidden": {name: getattr(w.controls, name).isHidden() for name in presentation.CONTROLS},
            "toolbar": w.toolbar.isHidden(), "info": w.controls.dataset_info.isHidden(),
            "grid": [w.plots.layout().getItemPosition(w.plots.layout().indexOf(x))
                     for x in (w.plots.loss, w.plots.accuracy, w.plots.grad, w.plots.wnorm)],
            # Every widget of the left panel, shown or hidden (an empty note under a field is hidden).
            "panel": [x.isHidden() for x in w.controls.findChildren(QtWidgets.QWidget)]}


def inside_grid(w):
    grid = w.plots.layout()
    return [grid.getItemPosition(grid.indexOf(x)) for x in (w.plots.loss, w.plots.accuracy)]


def test_f5_enters_full_screen_and_f5_or_esc_restores_exactly(qtbot, gui):
    w, c = gui
    w.activateWindow()
    w.resize(1000, 700)
    w.splitter.setSizes([300, 420, 280])
    qtbot.wait(50)
    before = picture(w)
    assert not before["full"]
    for leave_key in (Qt.Key_F5, Qt.Key_Escape):
        key(qtbot, w, Qt.Key_F5)
        qtbot.waitUntil(w.isFullScreen, timeout=3000)
        assert w.presentation.active and w.act_present.isChecked()
        assert w.presentation.bar.isVisible()
        inside = picture(w)
        assert inside["app_pt"] == pytest.approx(before["app_pt"] * presentation.DEFAULT_SCALE / 100)
        # Loss above accuracy, each as wide as the column (the per-layer plots are hidden).
        qtbot.waitUntil(lambda: inside_grid(w) == [(2, 0, 1, 2), (4, 0, 1, 2)], timeout=3000)
        w.splitter.setSizes([100, 900, 200])          # the teacher drags a splitter while presenting
        w.views.toy_page.setSizes([700, 100])
        key(qtbot, w, leave_key)
        assert not w.presentation.active and not w.act_present.isChecked()
        qtbot.waitUntil(lambda: picture(w) == before, timeout=3000)
        assert not w.presentation.bar.isVisible()


def test_scale_changes_fonts_and_lines_everywhere_and_back(qtbot, gui):
    w, c = gui
    before = picture(w)
    presentation.apply_presentation(w, {"keep": list(presentation.ITEMS), "scale": 200})
    inside = picture(w)
    assert inside["app_pt"] == pytest.approx(2 * before["app_pt"])
    assert inside["tick_pt"] == pytest.approx(2 * before["tick_pt"])          # pyqtgraph tick labels
    assert inside["title_pt"] == pytest.approx(2 * before["title_pt"])        # a widget with its own font
    assert inside["sheet_pt"] == pytest.approx(2 * before["sheet_pt"])        # ... or its own style sheet
    assert inside["pen"] == pytest.approx(2 * before["pen"])                  # thick lines
    assert float(inside["label"]["font-size"][:-2]) == pytest.approx(2 * float(before["label"]["font-size"][:-2]))
    # Widgets take the application's new font as its change event reaches them.
    qtbot.waitUntil(lambda: w.controls.eta.font().pointSizeF() == pytest.approx(2 * before["app_pt"]), timeout=3000)
    # The scale box in the header rescales at once.
    spin = w.presentation.header.scale
    spin.setValue(150)
    assert QtWidgets.QApplication.font().pointSizeF() == pytest.approx(1.5 * before["app_pt"])
    assert picture(w)["tick_pt"] == pytest.approx(1.5 * before["tick_pt"])
    # The x axis switched to samples seen: its new label is scaled too (on the next tick).
    w.plots.x_axis.setCurrentIndex(1)
    bottom = w.plots.loss.getPlotItem().getAxis("bottom")
    qtbot.waitUntil(lambda: bottom.labelStyle["font-size"] == f"{1.5 * presentation.theme.AXIS_LABEL_PT:g}pt",
                    timeout=3000)
    # A new network's curves, made while presenting, are scaled too (on the next tick).
    c.w.controls.change({"hidden": [5, 5, 5]})
    qtbot.waitUntil(lambda: len(w.plots.grad_curves) == 4, timeout=20000)
    base = presentation.theme.LINE_WIDTH
    qtbot.waitUntil(lambda: w.plots.grad_curves[-1].opts["pen"].widthF() == pytest.approx(1.5 * base), timeout=3000)
    w.presentation.leave()
    qtbot.waitUntil(lambda: not w.isFullScreen(), timeout=3000)
    after = picture(w)
    for k in ("app_pt", "tick_pt", "title_pt", "sheet_pt", "pen", "label"):
        assert after[k] == before[k], k
    assert bottom.labelStyle["font-size"] == f"{presentation.theme.AXIS_LABEL_PT}pt"
    assert w.plots.grad_curves[-1].opts["pen"].widthF() == pytest.approx(base)


def test_only_the_kept_controls_and_panels_stay_and_all_come_back(qtbot, gui):
    w, c = gui
    before = picture(w)
    assert before["info"]                      # toy data: the image-dataset note is hidden already
    presentation.apply_presentation(w, {"keep": ["loss", "eta", "views"], "caption": "Watch the loss fall."})
    qtbot.waitUntil(w.isFullScreen, timeout=3000)
    ctl = w.controls
    assert ctl.eta.isVisible() and w.plots.loss.isVisible() and w.views.isVisible()
    for hidden in (ctl.l2, ctl.dataset, ctl.seed, ctl.new_seed, ctl.restore, w.plots.accuracy, w.plots.grad,
                   w.plots.hist, w.toolbar, w.statusBar(), w.menuBar()):
        assert not hidden.isVisible(), hidden
    label = presentation._form_label(ctl.l2)
    assert label is not None and label.text() == "L2 (λ)" and not label.isVisible()
    assert not [g for g in ctl.findChildren(QtWidgets.QGroupBox) if g.title() == "Dataset"][0].isVisible()
    cap = w.presentation.header.caption
    assert cap.isVisible() and cap.text() == "Watch the loss fall."
    key(qtbot, w, Qt.Key_Escape)
    qtbot.waitUntil(lambda: picture(w) == before, timeout=3000)
    assert ctl.l2.isVisible() and label.isVisible() and w.toolbar.isVisible()
    assert ctl.dataset_info.isHidden()         # hidden before: still hidden, not shown by the restore


def test_the_teachers_choice_is_remembered_in_a_new_window(qtbot, gui):
    w, c = gui
    chosen = {"l2", "eta", "accuracy"}

    def answer():
        dlg = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dlg, presentation.PresentationDialog)
        for k, box in dlg.boxes.items():
            if box.isChecked() != (k in chosen):
                qtbot.mouseClick(box, Qt.LeftButton, pos=QtCore.QPoint(5, box.height() // 2))
        dlg.scale.setValue(175)
        qtbot.keyClicks(dlg.caption, "Two spirals")
        dlg.findChild(QtWidgets.QDialogButtonBox).button(QtWidgets.QDialogButtonBox.Ok).click()

    QtCore.QTimer.singleShot(100, answer)
    w.act_present_panels.trigger()
    stored = json.loads(st.value("presentation/choice"))
    assert set(stored["keep"]) == chosen and stored["scale"] == 175 and stored["caption"] == "Two spirals"
    w.close()

    from playground.gui.app import create_window
    w2, c2 = create_window(restore_settings=False)
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitExposed(w2)
    try:
        w2.activateWindow()
        qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is w2, timeout=3000)
        base_pt = QtWidgets.QApplication.font().pointSizeF()
        key(qtbot, w2, Qt.Key_F5)
        qtbot.waitUntil(w2.isFullScreen, timeout=3000)
        ctl = w2.controls
        assert ctl.l2.isVisible() and ctl.eta.isVisible() and w2.plots.accuracy.isVisible()
        assert not ctl.dropout.isVisible() and not w2.plots.loss.isVisible()
        assert QtWidgets.QApplication.font().pointSizeF() == pytest.approx(1.75 * base_pt)
        assert w2.presentation.header.caption.text() == "Two spirals"
        key(qtbot, w2, Qt.Key_F5)
        assert ctl.dropout.isVisible()
    finally:
        w2.close()
        c2.shutdown()


def test_counters_show_the_run_in_big_type(qtbot, gui):
    w, c = gui
    presentation.apply_presentation(w, {})
    w.activateWindow()
    key(qtbot, w, Qt.Key_E)                      # one epoch
    qtbot.waitUntil(lambda: len(c.trainer.history) == 1, timeout=60000)
    rec = c.trainer.history[-1]
    h = w.presentation.header
    qtbot.waitUntil(lambda: h.accuracy.value.text() == f"{100 * rec.test_accuracy:.1f} %", timeout=3000)
    assert h.samples.value.text() == f"{c.trainer.samples_seen:,}"
    assert h.epoch.value.text() == "1"
    assert h.accuracy.value.font().pointSizeF() >= 3 * presentation.theme.BASE_POINT_SIZE
    w.presentation.leave()


def test_on_the_compare_page_the_counters_give_each_twin_its_accuracy(qtbot, gui):
    from playground.core.compare import twins
    from playground.core.runspec import RunSpec
    from playground.gui.compare import open_comparison
    w, c = gui
    base = RunSpec.from_settings({**c.applied, "until_stopped": False, "epochs": 1})
    comp = open_comparison(c, twins(base, "activation", ["sigmoid", "relu"]))
    qtbot.waitUntil(lambda: all(s.phase == "done" for s in comp.sessions), timeout=60000)
    presentation.apply_presentation(w, {})
    w.pages.setCurrentWidget(w.compare)
    h = w.presentation.header
    accs = [f"{100 * s.trainer.history[-1].test_accuracy:.1f}" for s in comp.sessions]
    qtbot.waitUntil(lambda: "sigmoid" in h.accuracy.name.text(), timeout=3000)
    value, name = h.accuracy.value.text(), h.accuracy.name.text()
    assert re.findall(r"\d+\.\d", value) == accs and name.index("sigmoid") < name.index("ReLU")
    assert h.samples.value.text() == f"{comp.sessions[0].trainer.samples_seen:,}" and h.epoch.value.text() == "1"
    # The twins' cards grew with the scale: no button text is cut.
    qtbot.wait(50)
    for row in w.compare.multiples.rows:
        for b in (row.info.promote, row.info.remove):
            assert b.width() >= b.sizeHint().width(), (b.text(), b.width(), b.sizeHint().width())
    assert w.compare.play_all.width() >= w.compare.play_all.sizeHint().width()
    w.pages.setCurrentIndex(0)                   # the Train page: the run on show again
    qtbot.waitUntil(lambda: h.accuracy.name.text() == "test accuracy", timeout=3000)
    w.presentation.leave()


@pytest.mark.parametrize("bad, words", [
    ({"keep": ["loss", "sparkles"]}, "sparkles"),
    ({"scale": 300}, "125-250"),
    ({"keep": "loss"}, "list"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_presentation_dict_is_refused_with_a_clear_message(bad, words):
    with pytest.raises(ValueError, match=words):
        presentation.check_choice(bad)


def test_a_lesson_dict_may_name_controls_and_panels_apart():
    c = presentation.check_choice({"controls": ["eta"], "panels": ["loss"], "caption": "x", "scale": 1.5})
    assert c == {"keep": ["loss", "eta"], "caption": "x", "scale": 150}
