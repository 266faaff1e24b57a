"""Clicks on the network diagram: a neuron's worked sum, and a weight typed in by hand."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtCore, QtWidgets
from playground.gui import neuron

pytestmark = pytest.mark.timeout(120)
Qt = QtCore.Qt


def roomy(qtbot, w):
    """A wide network column, so every edge of the 2-12-12-2 diagram can be hit on its own."""
    w.resize(1400, 900)
    w.splitter.setSizes([300, 500, 600])
    qtbot.waitUntil(lambda: w.views.diagram.width() > 450, timeout=3000)


def point_on_edge(d, l, j, k, t=0.35):
    """A point ``t`` of the way along edge W[l][j, k] (0.35: no other edge of a 12-wide layer crosses there)."""
    a, b = d.unit_centre(l, k), d.unit_centre(l + 1, j)
    return QtCore.QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y())))


def test_clicking_an_edge_and_typing_a_weight_changes_exactly_that_parameter(qtbot, gui):
    w, c = gui
    roomy(qtbot, w)
    d = w.views.diagram
    l, j, k = 1, 4, 2                      # hidden 1 unit 3 -> hidden 2 unit 5
    where = point_on_edge(d, l, j, k)
    assert d.edge_at(QtCore.QPointF(where)) == (l, j, k)
    before = c.network.params.copy()
    old = float(c.network.weights[l][j, k])
    asked = []

    def type_weight():
        dlg = QtWidgets.QApplication.activeModalWidget()
        asked.append((dlg.objectName(), dlg.labelText(), dlg.doubleValue()))
        spin = dlg.findChild(QtWidgets.QDoubleSpinBox)
        spin.selectAll()
        qtbot.keyClicks(spin, "1.5")
        qtbot.keyClick(spin, Qt.Key_Return)

    QtCore.QTimer.singleShot(100, type_weight)
    qtbot.mouseClick(d, Qt.LeftButton, pos=where)
    assert asked == [("weightDialog", "Weight from hidden 1 unit 3 to hidden 2 unit 5:", pytest.approx(old, abs=1e-4))]
    after = c.network.params
    changed = np.flatnonzero(after != before)
    assert len(changed) == 1
    assert after[changed[0]] == np.float32(1.5) and c.network.weights[l][j, k] == np.float32(1.5)
    assert "edited" in w.windowTitle() and neuron.is_edited(c.trainer)
    # A new network is a new run: no longer marked.
    w.activateWindow()
    c.rebuild(ask=False)
    assert "edited" not in w.windowTitle() and not neuron.is_edited(c.trainer)


def test_cancelling_the_weight_dialog_changes_nothing(qtbot, gui):
    w, c = gui
    roomy(qtbot, w)
    before = c.network.params.copy()
    QtCore.QTimer.singleShot(100, lambda: QtWidgets.QApplication.activeModalWidget().reject())
    qtbot.mouseClick(w.views.diagram, Qt.LeftButton, pos=point_on_edge(w.views.diagram, 0, 5, 1))
    assert np.array_equal(c.network.params, before) and "edited" not in w.windowTitle()


def test_a_weight_typed_while_training_pauses_the_run_first(qtbot, gui):
    w, c = gui
    w.activateWindow()
    c.play_pause()
    qtbot.waitUntil(lambda: c.active.playing and c.trainer.step > 0, timeout=60000)
    assert neuron.set_weight(w, 0, 0, 0, -2.0)
    assert c.trainer.is_paused
    assert c.network.weights[0][0, 0] == np.float32(-2.0)
    assert not neuron.set_weight(w, 0, 0, 0, float("nan"))        # refused, said in the status bar
    assert "between" in w.statusBar().currentMessage()
    c.stop()


def test_clicking_a_neuron_shows_its_weighted_sum_for_the_chosen_point(qtbot, gui):
    w, c = gui
    roomy(qtbot, w)
    d = w.views.diagram
    qtbot.mouseClick(d, Qt.LeftButton, pos=d.unit_centre(2, 3).toPoint())     # hidden 2, unit 4
    dlg = w.neuron_inspector
    assert dlg.isVisible() and dlg.neuron == (2, 3) and d.selected == (2, 3)
    # The point: a click on the decision boundary sets it.
    b = w.views.boundary
    vb = b.getPlotItem().getViewBox()
    target = QtCore.QPointF(0.5, -0.25)
    pos = b.mapFromScene(vb.mapViewToScene(target))
    qtbot.mouseClick(b.viewport(), Qt.LeftButton, pos=pos)
    x1, x2 = dlg.point()
    assert abs(x1 - 0.5) < 0.03 and abs(x2 + 0.25) < 0.03
    net = c.network
    x = np.array([x1, x2])
    a1 = np.tanh(x @ net.weights[0].T.astype(np.float64) + net.biases[0])
    z = float(a1 @ net.weights[1][3].astype(np.float64) + net.biases[1][3])
    v = dlg.values
    assert v["z"] == pytest.approx(z, abs=1e-5)
    assert v["output"] == pytest.approx(np.tanh(z), abs=1e-5)
    assert v["bias"] == pytest.approx(float(net.biases[1][3]))
    np.testing.assert_allclose(v["inputs"], a1, atol=1e-6)
    text = dlg.table.text()
    assert f"z = Σ w·a + b = {v['z']:+.4f}" in text and f"tanh(z) = {v['output']:+.4f}" in text
    dlg.close()


def test_an_edited_run_says_so_in_its_run_file_and_when_opened_again(qtbot, gui, tmp_path):
    import json

    from playground.core.errors import RunFileError
    from playground.core.runfile import load_run
    from playground.gui import runfiles

    w, c = gui
    plain = tmp_path / "plain.nnrun"
    assert runfiles.save(c, str(plain))
    assert "edited" not in json.loads(plain.read_text())["result"] and not load_run(plain).edited
    assert neuron.set_weight(w, 2, 1, 0, 0.75)
    edited = tmp_path / "edited.nnrun"
    assert runfiles.save(c, str(edited))
    rf = load_run(edited)
    assert rf.edited and rf.params[np.flatnonzero(rf.params != load_run(plain).params)].tolist() == [0.75]
    c.rebuild(ask=False)
    assert "edited" not in w.windowTitle()
    assert runfiles.open_(c, str(edited))
    assert "edited" in w.windowTitle() and neuron.is_edited(c.trainer)
    assert c.network.weights[2][1, 0] == np.float32(0.75)
    # A hostile file: "edited" must be a boolean.
    d = json.loads(edited.read_text())
    d["result"]["edited"] = "yes"
    bad = tmp_path / "bad.nnrun"
    bad.write_text(json.dumps(d))
    with pytest.raises(RunFileError, match="edited"):
        load_run(bad)
