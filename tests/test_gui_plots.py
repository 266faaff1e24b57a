"""Plots a class reads from the back of the room (issue 7, items 10-14): labels that never run
together, a spike at 0 that leaves the rest of a ReLU histogram visible, one Step that shows,
the boundary over the whole plot after a dataset switch, gradient norms a log axis cannot place,
a confusion matrix with class names, and marks where a setting changed during a run."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, make_panel, no_leaked_threads  # noqa: F401

pytestmark = pytest.mark.timeout(240)


def _apart(axis, min_gap=3.0):
    """The labels an axis draws, left to right; fails if two touch (what "0.0050.0100.015" was)."""
    from playground.gui.axes import label_rects

    labels = sorted(label_rects(axis), key=lambda t: t[1].left())
    for (a, ra), (b, rb) in zip(labels, labels[1:]):
        assert rb.left() - ra.right() >= min_gap, (a, b, ra, rb, [t for t, _ in labels])
    return [t for t, _ in labels]


def _at_1280(qtbot, w):
    """The window as it opens on a 1280 x 800 screen (the offscreen screen is another size)."""
    from playground.gui.mainwindow import default_splitter

    w.resize(1280, 800)
    default_splitter(w, 1280)
    qtbot.wait(50)


def _settle(qtbot, w, c=None):
    for _ in range(4):
        qtbot.wait(30)
        if c is not None:
            while w.plots.redraw():
                pass


def _scene_rect(item):
    return item.mapRectToScene(item.boundingRect())


# ---------------------------------------------------------------------------- item 10
def test_relu_histograms_at_1280_show_the_spike_as_a_share_and_labels_that_fit(qtbot, gui):
    from playground.gui._qt import QtCore

    w, c = gui
    _at_1280(qtbot, w)
    s = w.controls.state()
    s.update(hidden=[16, 16, 16, 16], hidden_activations=["relu"] * 4, activation="relu", weight_init="he")
    w.controls.set_state(s)
    assert c.rebuild(ask=False)
    _settle(qtbot, w, c)
    probe = c.trainer.probe_histograms()
    w.plots.set_histograms(probe)
    _settle(qtbot, w, c)
    strip = w.plots.hist
    assert len(strip.layers) == 5
    for i, layer in enumerate(strip.layers):
        assert len(_apart(layer.plot.getAxis("bottom"))) >= 2
        vb = layer.plot.getViewBox()
        box = _scene_rect(vb)
        for text in (layer.spike_label, layer.note):
            if text.toPlainText():
                r = _scene_rect(text)
                assert box.left() - 0.5 <= r.left() and r.right() <= box.right() + 0.5, (i, text.toPlainText())
        if i == 4:
            assert not layer.spike.isVisible()
            continue
        zero = probe[i].zero_fraction
        assert zero > 0.2 and layer.spike.isVisible()
        assert layer.spike_text.startswith(f"{zero * 100:.0f}") and "at 0" in layer.spike_text
        # The other values fill the plot below the notes: the bars' top stays under the text.
        heights = layer.bars.getData()[1]
        bar_top = vb.mapViewToScene(QtCore.QPointF(0.0, float(np.max(heights)))).y()
        for text in (layer.spike_label, layer.note):
            if text.toPlainText():
                assert _scene_rect(text).bottom() <= bar_top + 0.5, (i, text.toPlainText())
        assert np.max(heights) >= 0.35 * layer.y          # the rest is scaled to be seen


def test_split_spike_moves_exact_zeros_out_of_their_bin():
    from playground.gui.histograms import split_spike

    values = np.concatenate([np.zeros(600), np.linspace(0.01, 4.0, 400)])
    counts, edges = np.histogram(values, bins=40)
    spike, rest = split_spike(counts, edges, 0.6)
    assert spike == pytest.approx(60.0)
    want = np.histogram(values[values > 0], bins=edges)[0] / 10.0
    np.testing.assert_allclose(rest, want)


# ---------------------------------------------------------------------------- item 11
def test_one_step_after_reset_draws_a_point_on_fresh_axes(qtbot, gui):
    from playground.gui.axes import label_rects

    w, c = gui
    _at_1280(qtbot, w)
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=60000)
    _settle(qtbot, w, c)
    w.act_reset.trigger()
    _settle(qtbot, w, c)
    p = w.plots
    # Empty plots: neutral ranges, not the last run's.
    assert p.loss.getPlotItem().getViewBox().viewRange()[1] == pytest.approx([-0.02, 1.02], abs=1e-6)
    assert p.wnorm.getPlotItem().getViewBox().viewRange()[1] == pytest.approx([-0.02, 1.02], abs=1e-6)
    w.act_step.trigger()
    qtbot.waitUntil(lambda: not c.step_active and c.snapshots_drawn > 0 and p.snap_series.n == 1, timeout=60000)
    _settle(qtbot, w, c)
    x, y = p.c_running.getData()
    assert len(x) == 1 and p.c_running.opts["symbol"] == "o"
    assert p.c_running.scatter.isVisible() and len(p.c_running.scatter.data) == 1
    for curve in p.grad_curves + p.w_curves:
        assert curve.opts["symbol"] == "o" and len(curve.scatter.data) == 1
    vb = p.loss.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 < x[0] < x1 and y0 < y[0] < y1
    for widget in (p.loss, p.accuracy, p.grad, p.wnorm):
        assert widget.width() < 320                        # narrow, as on a projector
        assert len(_apart(widget.getPlotItem().getAxis("bottom"))) >= 2
        # One x span for all four, the accuracy plot too although it has no point yet.
        assert widget.getPlotItem().getViewBox().viewRange()[0] == pytest.approx(vb.viewRange()[0])
    loss_labels = [t for t, _ in label_rects(p.loss.getPlotItem().getAxis("left"))]
    assert loss_labels and all(len(t.split(".")[-1]) <= 3 for t in loss_labels), loss_labels


def test_boundary_covers_the_new_data_after_switching_datasets(qtbot, gui, shared_mnist_dir, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    w, c = gui
    _at_1280(qtbot, w)
    combo = w.controls.dataset
    for name in ("gaussians", "mnist", "spirals"):
        combo.setCurrentIndex(combo.findData(name))
        _settle(qtbot, w)
    assert c.dataset.name == "spirals"
    # The diagram came back from the image tabs; hidden, it left the boundary the whole column,
    # stretched to a tall +-3 range with the spirals in a middle band.
    assert w.views.diagram.isVisible() and w.views.diagram.height() > 100
    _assert_boundary_fits(c, w.views.boundary)
    w.resize(1900, 1000)                      # and again after the plot changes shape
    _settle(qtbot, w)
    _assert_boundary_fits(c, w.views.boundary)


def _assert_boundary_fits(c, b):
    (vx0, vx1), (vy0, vy1) = b.getPlotItem().getViewBox().viewRange()
    pts = np.concatenate([c.dataset.x_train, c.dataset.x_test])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    assert vx0 <= lo[0] and hi[0] <= vx1 and vy0 <= lo[1] and hi[1] <= vy1
    # The data fill the plot along one side (no margin of an old range around them).
    fill = max((hi[0] - lo[0]) / (vx1 - vx0), (hi[1] - lo[1]) / (vy1 - vy0))
    assert fill > 0.75, ((vx0, vx1), (vy0, vy1), lo, hi)
    # The heat map lies under the whole view.
    rect = b.image.mapRectToView(b.image.boundingRect())
    assert rect.left() <= vx0 + 1e-6 and rect.right() >= vx1 - 1e-6
    assert rect.top() <= vy0 + 1e-6 and rect.bottom() >= vy1 - 1e-6


# ---------------------------------------------------------------------------- item 12
@pytest.fixture
def panel(qtbot):
    return make_panel(qtbot)


def _snap(i, g):
    return SimpleNamespace(epoch_fraction=i / 10, samples_seen=i * 10, train_loss=0.5,
                           grad_w_norm=np.asarray(g, float), weight_norm=np.ones(3))


def test_zero_and_nonfinite_gradient_norms_stay_visible_at_the_axis_edges(qtbot, panel):
    panel.add_snapshot(_snap(0, [0.0, 0.0, 0.0]))            # before the first batch: no gradient yet
    for i in range(1, 21):
        panel.add_snapshot(_snap(i, [0.1 * i, 0.0 if i > 5 else 0.01, np.inf if i > 10 else np.nan if i > 8 else 1.0]))
    panel._dirty = {"grad"}
    panel.redraw()
    lo, hi = panel.grad.getPlotItem().getViewBox().viewRange()[1]
    low1 = panel.grad_off[1].low.getData()
    high2 = panel.grad_off[2].high.getData()
    np.testing.assert_allclose(low1[0], np.arange(6, 21) / 10)
    np.testing.assert_allclose(high2[0], np.arange(9, 21) / 10)
    # Drawn inside the plot, at its bottom / top edge (the curve item works in log10 units).
    ylow = np.log10(panel.grad_off[1].low.yData)
    yhigh = np.log10(panel.grad_off[2].high.yData)
    assert np.all((ylow > lo) & (ylow < lo + 0.1 * (hi - lo)))
    assert np.all((yhigh < hi) & (yhigh > hi - 0.1 * (hi - lo)))
    assert all(item.xData is None or len(item.xData) == 0 for item in panel.grad_off[0].items())
    assert panel.grad_off[1].low.opts["symbol"] == "t" and panel.grad_off[2].high.opts["symbol"] == "t1"
    assert "▼" in panel.layer_key.text() and "▲" in panel.layer_key.text()
    assert "▼" in panel.grad.toolTip() and "▲" in panel.grad.toolTip()


# ---------------------------------------------------------------------------- item 13
@pytest.mark.parametrize("size", [(370, 600), (600, 850)])       # its pane at 1280x800 and 1920x1080
@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_confusion_matrix_has_class_names_and_projector_numbers(qtbot, size, dataset):
    from playground.gui._qt import QtCore, QtGui
    from playground.gui.confusion import ConfusionMatrixView
    from playground.gui.labels import class_name

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    rng = np.random.default_rng(1)
    conf = rng.integers(0, 30, size=(10, 10))
    np.fill_diagonal(conf, rng.integers(850, 1135, size=10))
    view.configure(10, dataset)
    view.set_matrix(conf)
    names = [class_name(dataset, i) for i in range(10)]
    placed = view.name_rects()
    assert sorted(n for n, _ in placed) == sorted(names * 2)          # rows and columns
    inside = QtCore.QRectF(view.rect())
    for name, r in placed:
        assert inside.contains(r), (name, r)
    for (a, ra), (b, rb) in zip(placed[0::2], placed[2::2]):          # rows: one under the next
        assert not ra.intersects(rb), (a, b)
    for (a, ra), (b, rb) in zip(placed[1::2], placed[3::2]):          # columns: side by side
        assert not ra.intersects(rb), (a, b)
    plan = view.plan()
    assert plan["name_font"].pointSize() >= 9
    assert plan["number_font"].pointSize() >= 12                      # ~8 px before
    assert QtGui.QFontMetricsF(plan["number_font"]).horizontalAdvance(max(view.texts, key=len)) <= plan["cell"]
    texts = np.array(view.texts).reshape(10, 10)
    share = 100 * conf / conf.sum(axis=1, keepdims=True)
    for i in range(10):
        for j in range(10):
            want = "" if conf[i, j] == 0 else "<1" if share[i, j] < 1 else str(min(99, int(np.floor(share[i, j] + 0.5))))
            assert texts[i, j] == want, (i, j, conf[i, j], share[i, j])
    image = view.grab().toImage()
    assert not image.isNull()


@pytest.mark.parametrize("width", [300, 360, 600])                 # 360: its pane at 1280 x 800, measured
def test_the_confusion_titles_fit_their_width(qtbot, width):
    from playground.gui._qt import QtGui
    from playground.gui.confusion import ConfusionMatrixView

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    qtbot.waitExposed(view)
    view.configure(10, "mnist")
    plan = view.plan()
    for text, font in ((plan["title_text"], plan["title_font"]), (plan["subtitle_text"], plan["axis_font"])):
        assert QtGui.QFontMetricsF(font).horizontalAdvance(text) <= plan["title"].width(), text   # not cut
    if width >= 600:
        assert plan["subtitle_text"] == "cells: % of each true class (hover for counts)"


# ---------------------------------------------------------------------------- item 14
def test_a_live_eta_change_typed_into_the_spin_box_leaves_a_labelled_mark(qtbot, gui):
    from playground.gui._qt import QtCore, pg

    w, c = gui
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=60000)
    _settle(qtbot, w, c)
    assert w.plots.markers.texts() == []
    eta = w.controls.eta
    eta.setFocus()
    eta.selectAll()
    qtbot.keyClicks(eta.lineEdit(), "0.005")
    qtbot.keyClick(eta.lineEdit(), QtCore.Qt.Key_Return)
    qtbot.waitUntil(lambda: c.trainer.config.eta == pytest.approx(0.005), timeout=5000)
    assert w.plots.markers.texts() == ["η 0.02→0.005"]
    x = c.trainer.latest.epoch_fraction
    for widget in (w.plots.loss, w.plots.accuracy):
        lines = [i for i in widget.getPlotItem().items if isinstance(i, pg.InfiniteLine)]
        assert len(lines) == 1 and lines[0].value() == pytest.approx(x)
        assert lines[0].label.toPlainText() == "η 0.02→0.005" and lines[0].label.isVisible()
    # Changed again before any training: still one mark, from the first value to the last.
    eta.selectAll()
    qtbot.keyClicks(eta.lineEdit(), "0.001")
    qtbot.keyClick(eta.lineEdit(), QtCore.Qt.Key_Return)
    qtbot.waitUntil(lambda: c.trainer.config.eta == pytest.approx(0.001), timeout=5000)
    assert w.plots.markers.texts() == ["η 0.02→0.001"]
    w.controls.batch_size.setValue(25)
    assert w.plots.markers.texts() == ["η 0.02→0.001, batch 10→25"]
    w.plots.x_axis.setCurrentIndex(1)                       # samples seen: the marks move along
    line = [i for i in w.plots.loss.getPlotItem().items if isinstance(i, pg.InfiniteLine)][0]
    assert line.value() == pytest.approx(c.trainer.latest.samples_seen)
    w.act_reset.trigger()
    _settle(qtbot, w)
    assert w.plots.markers.texts() == []
    assert not [i for i in w.plots.loss.getPlotItem().items if isinstance(i, pg.InfiniteLine)]
