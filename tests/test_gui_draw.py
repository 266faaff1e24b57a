"""The Draw page with real mouse, key, wheel and tablet events: strokes, undo, clear, the
preprocessing switch, pen width, which network reads (and why), and the page in the window."""
from __future__ import annotations

import numpy as np
import pytest

from drawn_digits import DIGITS
from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, shown  # noqa: F401
from playground.core.data.dataset import CLASS_NAMES, Dataset
from playground.core.network import Network
from playground.core.spec import NetworkSpec
from playground.gui._qt import QtCore, QtGui, QtWidgets

pytestmark = pytest.mark.timeout(120)
Qt = QtCore.Qt


def _pos(pad, x, y) -> QtCore.QPointF:
    o, s = pad._origin(), pad.side()
    return QtCore.QPointF(o.x() + x * s, o.y() + y * s)


def _mouse(pad, kind, pos, buttons):
    button = Qt.LeftButton if kind != QtCore.QEvent.MouseMove else Qt.NoButton
    ev = QtGui.QMouseEvent(kind, pos, pad.mapToGlobal(pos), button, buttons, Qt.NoModifier)
    QtWidgets.QApplication.sendEvent(pad, ev)


def stroke(pad, points, step=0.01):
    """Press, move through ``points`` (canvas units) in small steps as a hand would, release."""
    dense = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, int(np.hypot(x1 - x0, y1 - y0) / step))
        dense += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    _mouse(pad, QtCore.QEvent.MouseButtonPress, _pos(pad, *dense[0]), Qt.LeftButton)
    for p in dense[1:]:
        _mouse(pad, QtCore.QEvent.MouseMove, _pos(pad, *p), Qt.LeftButton)
    _mouse(pad, QtCore.QEvent.MouseButtonRelease, _pos(pad, *dense[-1]), Qt.NoButton)


def draw_digit(pad, digit, way=0, left=0.1, top=0.1, size=0.8):
    for s in DIGITS[digit][way]:
        stroke(pad, [(left + x * size, top + y * size) for x, y in s])


def make_panel(qtbot):
    from playground.gui.drawpanel import DrawPanel
    return shown(qtbot, DrawPanel(), 1100, 650)


@pytest.fixture
def panel(qtbot, isolated_settings):
    return make_panel(qtbot)


def read_now(qtbot, panel):
    with qtbot.waitSignal(panel.sigRead, timeout=5000):
        panel.schedule()
    return panel.reading


def test_drawing_with_the_mouse_is_read_live_and_explained(qtbot, panel):
    pad = panel.pad
    assert pad.side() >= 280
    with qtbot.waitSignal(panel.sigRead, timeout=5000):      # read while drawing, before release
        _mouse(pad, QtCore.QEvent.MouseButtonPress, _pos(pad, 0.2, 0.15), Qt.LeftButton)
        _mouse(pad, QtCore.QEvent.MouseMove, _pos(pad, 0.8, 0.15), Qt.LeftButton)
    assert pad.strokes == [] and panel.reading is not None          # the stroke is still going
    _mouse(pad, QtCore.QEvent.MouseButtonRelease, _pos(pad, 0.8, 0.15), Qt.NoButton)
    pad.clear()
    draw_digit(pad, 7)
    r = read_now(qtbot, panel)
    assert r.top == 7 and len(pad.strokes) == 1
    assert "7" in panel.verdict.text() and panel.bars.top == 7 and panel.bars.runner_up == r.runner_up
    assert panel.seen.image().width() == 28
    assert panel.evidence_top.image().width() == 28 and "Evidence for 7" in panel.evidence_top_label.text()
    assert [len(h) for h in panel.hidden.layers] == [256, 128]
    assert [s.isVisible() for s in panel.steps] == [True] * 5
    assert "shipped digit model" in panel.source_label.text()


def test_undo_and_clear_by_keys_and_buttons(qtbot, panel):
    pad = panel.pad
    draw_digit(pad, 4)                       # two strokes
    assert len(pad.strokes) == 2 and read_now(qtbot, panel).top == 4
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key_Z, Qt.ControlModifier)
    assert len(pad.strokes) == 1
    qtbot.mouseClick(panel.undo_button, Qt.LeftButton)
    assert pad.strokes == [] and pad.ink().max() == 0
    draw_digit(pad, 1)
    assert pad.ink().max() > 0
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key_Delete)
    assert pad.is_blank() and pad.ink().max() == 0
    r = read_now(qtbot, panel)
    assert r.probabilities is None and panel.bars.p is None and "Draw a digit" in panel.verdict.text()
    draw_digit(pad, 1)
    qtbot.mouseClick(panel.clear_button, Qt.LeftButton)
    assert pad.is_blank()


def test_the_switch_shows_the_plain_resize_misreading_a_small_corner_digit(qtbot, panel):
    draw_digit(panel.pad, 3, left=0.68, top=0.66, size=0.3)
    assert read_now(qtbot, panel).top == 3
    qtbot.mouseClick(panel.mnist_style, Qt.LeftButton, pos=QtCore.QPoint(8, panel.mnist_style.height() // 2))
    assert not panel.mnist_style.isChecked()
    r = read_now(qtbot, panel)
    assert r.top != 3 and not r.prep.mnist_style
    assert [s.isVisible() for s in panel.steps] == [True, True, False, False, False]
    assert "shrunk" in panel.step_labels[1].text()


def test_pen_width_ignores_a_passing_wheel_and_a_dot_is_not_read(qtbot, panel):
    spin, pad = panel.pen, panel.pad
    before = spin.value()
    pad.setFocus()
    wheel = QtGui.QWheelEvent(QtCore.QPointF(5, 5), spin.mapToGlobal(QtCore.QPointF(5, 5)), QtCore.QPoint(),
                              QtCore.QPoint(0, 120), Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(spin, wheel)
    assert spin.value() == before
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key_Up)
    assert spin.value() == before + 1 and pad.pen_width == before + 1
    stroke(pad, [(0.5, 0.5), (0.501, 0.5)])
    r = read_now(qtbot, panel)
    assert r.probabilities is None and "dot" in r.reason and "dot" in panel.verdict.text()


def test_tablet_pressure_sets_the_stroke_width(qtbot, panel):
    pad = panel.pad
    stylus = QtGui.QPointingDevice("test stylus", 77, QtGui.QInputDevice.DeviceType.Stylus,
                                   QtGui.QPointingDevice.PointerType.Pen,
                                   QtGui.QInputDevice.Capability.Position | QtGui.QInputDevice.Capability.Pressure,
                                   1, 3)

    def tablet(kind, x, pressure):
        pos = _pos(pad, x, 0.3 if pressure < 0.5 else 0.7)
        ev = QtGui.QTabletEvent(kind, stylus, pos, pad.mapToGlobal(pos), pressure, 0, 0, 0, 0, 0, Qt.NoModifier,
                                Qt.LeftButton, Qt.LeftButton)
        QtWidgets.QApplication.sendEvent(pad, ev)

    for pressure in (0.2, 1.0):
        tablet(QtCore.QEvent.TabletPress, 0.2, pressure)
        tablet(QtCore.QEvent.TabletMove, 0.8, pressure)
        tablet(QtCore.QEvent.TabletRelease, 0.8, pressure)
    light, firm = pad.strokes
    assert len(light) == 2 and light[1][2] < 0.5 * firm[1][2]
    column = pad.ink()[:, pad.side() // 2] > 0.5
    half = pad.side() // 2
    thin, thick = np.count_nonzero(column[:half]), np.count_nonzero(column[half:])
    assert 0 < thin < 0.5 * thick


def test_the_canvas_grows_with_the_window_and_keeps_the_drawing(qtbot, panel):
    draw_digit(panel.pad, 0)
    small = panel.pad.side()
    ink_small = panel.pad.ink().mean()
    panel.resize(1600, 1000)
    qtbot.waitUntil(lambda: panel.pad.side() > small, timeout=3000)
    assert panel.pad.ink().shape == (panel.pad.side(), panel.pad.side())
    assert panel.pad.ink().mean() == pytest.approx(ink_small, rel=0.25)    # same drawing, re-rendered
    assert read_now(qtbot, panel).top == 0


def test_a_784_to_10_network_reads_and_says_what_it_knows(qtbot, panel):
    net = Network(NetworkSpec.make("784,10", "sigmoid"), seed=1)
    x = np.zeros((10, 784), np.float32)
    ds = Dataset("fashion-mnist", x, np.arange(10), x[:0], np.arange(0), x, np.arange(10), 10, (28, 28),
                 CLASS_NAMES["fashion-mnist"])
    panel.attach(lambda: (net, ds))
    read_now(qtbot, panel)                     # a blank canvas: the bars already name garments
    assert panel.reading.probabilities is None and panel.bars.names[0] == "T-shirt/top"
    draw_digit(panel.pad, 1)
    r = read_now(qtbot, panel)
    assert panel._reader.network is net and "Fashion-MNIST garments" in panel.source_label.text()
    assert panel.bars.names[0] == "T-shirt/top" and r.probabilities is not None
    toy = Network(NetworkSpec.make("784,30,5", "sigmoid"), seed=1)
    panel.attach(lambda: (toy, ds))
    read_now(qtbot, panel)
    assert "has 5 outputs" in panel.source_label.text() and panel._reader.network is not toy


def test_a_long_class_name_and_four_hidden_captions_are_shown_whole(qtbot, panel):
    net = Network(NetworkSpec.make("784,100,100,100,100,10", "sigmoid"), seed=1)
    x = np.zeros((10, 784), np.float32)
    names = CLASS_NAMES["fashion-mnist"]
    ds = Dataset("fashion-mnist", x, np.arange(10), x[:0], np.arange(0), x, np.arange(10), 10, (28, 28), names)
    panel.resize(900, 650)
    panel.attach(lambda: (net, ds))
    draw_digit(panel.pad, 1)
    r = read_now(qtbot, panel)
    r.top = names.index("T-shirt/top")                      # the longest name, whatever this net says
    panel._show_reading(panel._reader, r)
    qtbot.wait(50)
    font = QtGui.QFont(panel.verdict.font())
    font.setPointSize(24)
    font.setBold(True)
    assert panel.verdict.contentsRect().width() >= QtGui.QFontMetrics(font).horizontalAdvance("T-shirt/top")

    bars = panel.bars.grab().toImage()                     # the bold top name starts inside the widget
    row = bars.height() / len(names)
    edge = [QtGui.QColor(bars.pixel(x, int(row * (r.top + 0.5)) + dy)).lightness()
            for x in range(2) for dy in range(-4, 5)]
    assert min(edge) > 200, "the top class's first letter is cut at the left edge"

    grids = panel.hidden
    assert len(grids.layers) == 4
    cell_w = (grids.width() - 12 * 3) / 4                   # as paintEvent splits the width
    for i in range(4):
        caption = grids.caption(i, cell_w)
        assert "100" in caption and grids.fontMetrics().horizontalAdvance(caption) <= cell_w, caption


def test_the_draw_page_in_the_window(qtbot, gui):
    w, c = gui
    bar = w.pages.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())
    assert w.pages.currentWidget() is w.draw
    qtbot.waitUntil(lambda: w.draw.isVisible(), timeout=3000)
    assert w.draw.pad.hasFocus()                       # so Delete and Ctrl+Z work at once
    draw_digit(w.draw.pad, 2)
    r = read_now(qtbot, w.draw)
    assert r.top == 2
    assert "takes 2 inputs" in w.draw.source_label.text()        # the window opens on the 2-D spirals


@pytest.fixture
def my_folder(tmp_path, monkeypatch):
    folder = tmp_path / "my-digits"
    monkeypatch.setenv("NN_PLAYGROUND_MY_DIGITS", str(folder))
    return folder


def test_add_to_my_digits_then_see_how_well_they_are_read_and_export(qtbot, my_folder, panel, dialogs, tmp_path):
    bar = panel.my_digits
    assert bar.store.folder == my_folder and not bar.add_button.isEnabled()
    draw_digit(panel.pad, 7)
    read_now(qtbot, panel)
    assert bar.label.value() == 7 and bar.add_button.isEnabled()     # offered as what it read
    qtbot.mouseClick(bar.add_button, Qt.LeftButton)
    assert panel.pad.is_blank() and [p.name[0] for p in my_folder.iterdir()] == ["7"]
    assert bar.count.text() == "(1 kept)"
    qtbot.mouseClick(bar.read_button, Qt.LeftButton)
    assert bar.dialog.heading.text().endswith("% of your 1 digit read correctly")     # not "1 digits"
    bar.dialog.close()

    draw_digit(panel.pad, 1)
    read_now(qtbot, panel)
    bar.label.setFocus()
    for _ in range(3):
        qtbot.keyClick(bar.label, Qt.Key_Up)              # "it is a 4, really"
    read_now(qtbot, panel)
    assert bar.label.value() == 4                           # a new reading does not undo the choice
    qtbot.mouseClick(bar.add_button, Qt.LeftButton)
    assert sorted(p.name[0] for p in my_folder.iterdir()) == ["4", "7"]

    qtbot.mouseClick(bar.read_button, Qt.LeftButton)
    conf, acc, n, _ = bar.confusion()
    assert n == 2 and acc == 0.5 and conf[7, 7] == 1 and conf[4, 1] == 1
    assert bar.dialog.isVisible() and "50 % of your 2 digits" in bar.dialog.heading.text()
    bar.dialog.close()

    stroke(panel.pad, [(0.5, 0.5), (0.501, 0.5)])           # a dot cannot be kept ...
    read_now(qtbot, panel)
    assert not bar.add_button.isEnabled()
    panel.mnist_style.setChecked(False)                      # ... even when the plain resize reads it
    read_now(qtbot, panel)
    qtbot.mouseClick(bar.add_button, Qt.LeftButton)
    assert dialogs[-1][:2] == ("information", "Nothing to keep") and "dot" in dialogs[-1][2]
    assert len(list(my_folder.iterdir())) == 2

    paths = bar.export(str(tmp_path))
    assert [p.name for p in paths] == ["my-digits-images-idx3-ubyte.gz", "my-digits-labels-idx1-ubyte.gz"]
    assert dialogs[-1][0] == "information"


def test_an_unwritable_my_digits_folder_says_so_and_keeps_the_drawing(qtbot, tmp_path, monkeypatch, isolated_settings,
                                                                      dialogs):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NN_PLAYGROUND_MY_DIGITS", str(blocker / "my-digits"))
    panel = make_panel(qtbot)
    draw_digit(panel.pad, 5)
    read_now(qtbot, panel)
    qtbot.mouseClick(panel.my_digits.add_button, Qt.LeftButton)
    kind, title, text = dialogs[-1]
    assert kind == "warning" and "Cannot keep the drawing" in title and str(blocker) in text
    assert not panel.pad.is_blank() and len(panel.pad.strokes) == 1


def test_without_the_shipped_model_the_panel_says_so_and_still_draws(qtbot, panel, monkeypatch, tmp_path):
    import playground.core.drawing.reader as reader_module
    monkeypatch.setattr(reader_module, "SHIPPED_MODEL", tmp_path / "gone.npz")
    toy = Network(NetworkSpec.make("2,4,1", "tanh"), seed=1)
    panel.attach(lambda: (toy, None))
    draw_digit(panel.pad, 3)
    with qtbot.waitSignal(panel.pad.sigChanged):
        panel.pad.undo()
    qtbot.waitUntil(lambda: "No network can read drawings" in panel.source_label.text(), timeout=5000)
    assert "gone.npz" in panel.source_label.text() and panel.bars.p is None
    assert panel.steps[0].isVisible()                 # the pipeline still shows the canvas


def test_evidence_colours_say_for_and_against():
    from playground.gui.drawviews import evidence_rgba
    from playground.gui.theme import NEGATIVE, POSITIVE
    pixels = np.zeros((28, 28), np.float32)
    pixels[5:20, 10:14] = 1
    ev = np.zeros((28, 28))
    ev[5, 10], ev[6, 10], ev[7, 10] = 2.0, -2.0, 0.5
    rgba = evidence_rgba(pixels, ev)
    assert tuple(rgba[5, 10, :3]) == POSITIVE.getRgb()[:3] and tuple(rgba[6, 10, :3]) == NEGATIVE.getRgb()[:3]
    assert tuple(rgba[8, 10, :3]) == (140, 140, 140) and tuple(rgba[0, 0, :3]) == (40, 40, 40)   # ink, paper
    half = rgba[7, 10, :3].astype(int)           # a quarter of the peak is already half coloured
    assert np.all(np.abs(half - (np.array([140] * 3) + np.array(POSITIVE.getRgb()[:3])) / 2) <= 1)


def test_opening_a_my_digits_model_without_drawings_leaves_no_loading_status(qtbot, gui, my_folder, tmp_path):
    from playground.core.persist import save_model
    w, c = gui
    path = tmp_path / "mine.json"
    save_model(path, Network(NetworkSpec.make("784,30,10", "sigmoid"), seed=1), dataset_name="my-digits")
    assert not c.open_model_dialog(str(path))
    assert "add some on the Draw page" in w.banner.text.text() and c.dataset.name == "spirals"
    assert w.status.state.text() == "ready", w.status.state.text()


def test_my_digits_as_the_training_dataset(qtbot, gui, my_folder, shared_mnist_dir, monkeypatch):
    from playground.core.drawing.mydigits import MyDigits
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    w, c = gui
    combo = w.controls.dataset
    combo.setCurrentIndex(combo.findData("my-digits"))           # none kept yet: said, nothing breaks
    assert c.dataset.name == "spirals" and "add some on the Draw page" in w.banner.text.text()
    assert w.status.state.text() != "loading data…", "the failed load still says it is loading"
    from playground.gui import settings as st
    assert st.load_controls()["dataset"] == "spirals"             # the next start is not on the error
    store = MyDigits()
    for k in range(10):
        a = np.zeros((28, 28), np.float32)
        a[4:24, 12:16] = 1
        store.add(k, a)
    combo.setCurrentIndex(combo.findData("spirals"))
    combo.setCurrentIndex(combo.findData("my-digits"))
    assert c.dataset.name == "my-digits" and len(c.dataset.y_test) == 5
    assert c.network.spec.sizes[0] == 784 and "Your drawings" in w.controls.dataset_info.text()
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=60000)
    w.views.tabs.setCurrentWidget(w.views.confusion)
    qtbot.waitUntil(lambda: int(w.views.confusion.matrix.sum()) > 0, timeout=20000)
    assert int(w.views.confusion.matrix.sum()) == 5          # the 5 held-out drawings
