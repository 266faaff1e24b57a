"""The Lessons menu and picker, driven as a teacher would: choose, start, watch, go on."""
from __future__ import annotations

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.core import lessons
from playground.gui._qt import QtCore, QtWidgets
from playground.gui import datafolders
from playground.gui.lessons import LessonDialog

pytestmark = pytest.mark.timeout(240)


def test_a_lesson_chosen_in_the_picker_sets_every_control_and_starts(qtbot, gui, dialogs):
    w, c = gui
    xor = lessons.load("xor-spirals")
    menu_titles = [a.text() for a in w.lesson_menu.menu.actions() if a.text()]
    assert menu_titles[2:] == [lessons.load(n).title for n in lessons.names()]
    assert "Lessons" in [a.text().replace("&", "") for a in w.menuBar().actions()]

    seen = {}

    def pick():
        dlg = QtWidgets.QApplication.activeModalWidget()
        try:
            seen["dialog"] = isinstance(dlg, LessonDialog)
            dlg.list.setFocus()
            qtbot.keyClick(dlg.list, QtCore.Qt.Key_Home)
            for _ in range(lessons.names().index("xor-spirals")):
                qtbot.keyClick(dlg.list, QtCore.Qt.Key_Down)
            seen["title"], seen["watch"] = dlg.title.text(), dlg.watch.text()
            qtbot.keyClick(dlg.list, QtCore.Qt.Key_Return)           # Enter starts the chosen one
        finally:
            if dlg.isVisible():
                dlg.reject()

    QtCore.QTimer.singleShot(0, pick)
    qtbot.keyClick(w, QtCore.Qt.Key_L, QtCore.Qt.ControlModifier)      # Lessons > Choose a lesson…
    assert seen == {"dialog": True, "title": xor.title, "watch": xor.watch}

    s = w.controls.state()
    assert (s["dataset"], s["hidden"], s["activation"], s["cost"], s["optimizer"], s["eta"], s["epochs"]) == \
        ("xor", [10, 5], "relu", "quadratic", "sgd", 0.03, 50)
    qtbot.waitUntil(lambda: c.trainer is not None and c.trainer.step > 0, timeout=60000)
    assert c.run_active and c.applied["dataset"] == "xor"
    panel = w.lesson_menu.panel
    assert panel.isVisible() and xor.watch[:60] in panel.text.text()

    # The lesson's second part is one click on the lesson panel.
    assert panel.next.text() == "Next: two spirals"
    qtbot.mouseClick(panel.next, QtCore.Qt.LeftButton)
    s = w.controls.state()
    assert (s["dataset"], s["hidden"], s["activation"], s["optimizer"], s["epochs"]) == \
        ("spirals", [12, 12], "tanh", "adam", 300)
    qtbot.waitUntil(lambda: c.applied["dataset"] == "spirals" and c.trainer.step > 0, timeout=60000)
    assert "Two spirals" in panel.text.text() and not panel.next.isVisible()
    qtbot.mouseClick(panel.end, QtCore.Qt.LeftButton)
    assert not panel.isVisible() and c.run_active      # the note goes, the run goes on
    assert not dialogs
    c.stop()


def test_a_comparison_lesson_trains_its_twins_on_the_compare_page(qtbot, gui, dialogs):
    w, c = gui
    symmetry = lessons.load("symmetry")
    w.lesson_menu.actions["symmetry"].trigger()
    comparison = w.compare.comparison
    assert [t.label for t in comparison.twins] == ["all-zero weights", "random (Xavier) weights"]
    assert comparison.twins[0].spec.network.weight_init == "zeros"
    assert w.pages.currentWidget() is w.compare
    qtbot.waitUntil(lambda: all(s.trainer.step > 0 for s in comparison.sessions), timeout=60000)
    assert w.lesson_menu.panel.isVisible() and symmetry.watch[:60] in w.lesson_menu.panel.text.text()
    assert not dialogs
    comparison.stop_all()


def test_a_lesson_on_a_share_of_mnist_trains_on_that_share(qtbot, gui, dialogs, shared_mnist_dir):
    """overfitting-l2 asks for 1,000 training digits: the window's twins get 1,000, not every digit."""
    w, c = gui
    datafolders.remember("mnist", str(shared_mnist_dir))
    w.lesson_menu.actions["overfitting-l2"].trigger()
    comparison = w.compare.comparison
    assert [len(s.dataset.y_train) for s in comparison.sessions] == [1000, 1000]
    assert len(comparison.sessions[0].dataset.y_test) == 10000
    qtbot.waitUntil(lambda: all(s.trainer.step > 0 for s in comparison.sessions), timeout=60000)
    assert not dialogs
    comparison.stop_all()


@pytest.mark.parametrize("scale", [None, 150])
def test_the_lesson_note_is_as_tall_as_its_text(qtbot, gui, dialogs, scale):
    """At 1280 px the note was cut after two lines; at 150 % it left a band of blank under it."""
    from playground.gui import presentation
    w, c = gui
    w.resize(1280, 760)
    if scale:
        presentation.apply_presentation(w, {"scale": scale})
        w.setWindowState(w.windowState() & ~QtCore.Qt.WindowFullScreen)
        w.resize(1280, 760)
    w.lesson_menu.actions["symmetry"].trigger()
    panel = w.lesson_menu.panel
    qtbot.waitUntil(lambda: panel.isVisible(), timeout=5000)
    qtbot.wait(100)
    need = panel.text.heightForWidth(panel.text.width())
    assert panel.text.height() >= need                                   # nothing cut
    assert panel.dock.height() <= max(need, panel.end.sizeHint().height()) + 30   # no blank band
    w.compare.comparison.stop_all()
    if scale:
        w.presentation.leave()


def test_a_teachers_lesson_file_opens_with_its_own_panels_scale_and_caption(qtbot, gui, dialogs, tmp_path):
    import json
    import os
    from importlib import resources
    w, c = gui
    d = json.loads(resources.files("playground.core.lessons").joinpath("symmetry.json").read_bytes())
    d.update(name="symmetry-3b", title="Symmetry, for class 3B",
             presentation={"keep": ["loss", "accuracy", "views"], "caption": "Class 3B: watch the two runs",
                           "scale": 125})
    path = tmp_path / "symmetry-3b.json"
    path.write_text(json.dumps(d))
    assert w.lesson_menu.open_file(str(path))
    assert w.presentation.active and w.presentation.header.caption.text() == "Class 3B: watch the two runs"
    assert w.presentation.header.scale.value() == 125
    assert "Symmetry, for class 3B" in w.lesson_menu.panel.text.text()
    assert [t.label for t in w.compare.comparison.twins] == ["all-zero weights", "random (Xavier) weights"]
    w.compare.comparison.stop_all()
    w.presentation.leave()
    # Hostile files: a named pipe (never read, it would block), an oversized file, a broken one.
    fifo = tmp_path / "lesson.json"
    os.mkfifo(fifo)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (lessons.MAX_BYTES + 1))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**d, "presentation": {"scale": 900}}))
    for p, words in ((fifo, "not a file"), (big, "larger than"), (bad, "scale")):
        dialogs.clear()
        assert not w.lesson_menu.open_file(str(p))
        assert dialogs and dialogs[-1][0] == "warning" and words in dialogs[-1][2], (p, dialogs)
    assert not w.presentation.active
