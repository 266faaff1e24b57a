"""The activation explorer: its curves are the textbook formulas, its marked z's the live network's."""
from __future__ import annotations

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, wait_steps  # noqa: F401
from playground.gui._qt import QtCore
from playground.gui import explorer

pytestmark = pytest.mark.timeout(120)

Z = np.linspace(-8, 8, 321)
ANALYTIC = {    # (f, f') written out independently of core/activations.py
    "sigmoid": (1 / (1 + np.exp(-Z)), np.exp(-Z) / (1 + np.exp(-Z)) ** 2),
    "tanh": ((np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z)), 4 / (np.exp(Z) + np.exp(-Z)) ** 2),
    "relu": (np.where(Z > 0, Z, 0.0), np.where(Z > 0, 1.0, 0.0)),
    "leaky_relu": (np.where(Z > 0, Z, 0.01 * Z), np.where(Z > 0, 1.0, 0.01)),
    "elu": (np.where(Z > 0, Z, np.exp(Z) - 1), np.where(Z > 0, 1.0, np.exp(Z))),
    "softplus": (np.log(1 + np.exp(Z)), 1 / (1 + np.exp(-Z))),
    "linear": (Z, np.ones_like(Z)),
}


@pytest.mark.parametrize("name", sorted(ANALYTIC))
def test_curves_are_the_analytic_formulas(name):
    f, d = explorer.curves(name, Z)
    np.testing.assert_allclose(f, ANALYTIC[name][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d, ANALYTIC[name][1], rtol=1e-12, atol=1e-12)


def test_the_landmarks_a_teacher_points_at():
    _, d = explorer.curves("sigmoid", Z)
    assert d.max() == pytest.approx(0.25) and Z[d.argmax()] == pytest.approx(0.0)   # σ' peaks at 1/4, at 0
    assert set(np.unique(explorer.curves("relu", Z)[1])) == {0.0, 1.0}
    # Half the z's deep in the flat tails, half at the steep middle: half saturated.
    assert explorer.saturated_share("sigmoid", np.array([-9.0, 0.0, 0.5, 9.0])) == 0.5
    assert explorer.saturated_share("relu", np.array([-1.0, -0.1, 2.0, 3.0])) == 0.5


def test_the_explorer_marks_the_live_networks_z_on_the_curve(qtbot, gui):
    w, c = gui
    # N(0, 1) weights: hidden 2's z's spread far into tanh's flat tails (a lesson's saturated start).
    w.controls.change({"weight_init": "large"})
    qtbot.waitUntil(lambda: c.network is not None and c.network.spec.weight_init == "large", timeout=10000)
    w.act_explorer.trigger()
    ex = w.explorer_dialog.explorer
    qtbot.waitUntil(lambda: ex.layer.count() == 3, timeout=5000)      # hidden 1, hidden 2, output
    assert ex.function.currentData() == "tanh"                        # the layer's own activation
    x, f = ex.c_fn.getData()
    np.testing.assert_allclose(f, np.tanh(x), rtol=1e-9, atol=1e-12)
    _, d = ex.c_prime.getData()
    np.testing.assert_allclose(d, 1 - np.tanh(x) ** 2, rtol=1e-9, atol=1e-12)
    w.activateWindow()
    c.step(None)                                                       # one epoch: the weights move
    qtbot.waitUntil(lambda: len(c.trainer.history) == 1, timeout=60000)
    ex.layer.setCurrentIndex(1)                                        # hidden 2
    net, probe = c.network, c.active.probe_x
    h1 = np.tanh(probe.astype(np.float64) @ net.weights[0].T.astype(np.float64) + net.biases[0])
    z2 = h1 @ net.weights[1].T.astype(np.float64) + net.biases[1]
    np.testing.assert_allclose(np.sort(ex.z.ravel()), np.sort(z2.ravel()), rtol=1e-4, atol=1e-4)
    dx, dy = ex.dots.getData()
    assert len(dx) == min(z2.size, explorer.MAX_DOTS)
    assert np.abs(dx[:, None] - z2.ravel()[None, :]).min(axis=1).max() < 1e-4    # every dot is one of the z's
    np.testing.assert_allclose(dy, np.tanh(dx), rtol=1e-6, atol=1e-6)  # ... on the curve
    share = explorer.saturated_share("tanh", z2)
    assert share > 0.01 and f"{100 * share:.0f} %" in ex.summary.text()
    # The same count as the note under the activation histogram (computed there from a, not z).
    hist = c.trainer.probe_histograms()[1]
    assert share == pytest.approx(hist.saturated_fraction, abs=0.005)
    # Another function for the same z's: untick "the layer's own" and pick sigmoid.
    ex.follow.setChecked(False)
    ex.function.setCurrentIndex(ex.function.findData("sigmoid"))
    x, f = ex.c_fn.getData()
    np.testing.assert_allclose(f, 1 / (1 + np.exp(-x)), rtol=1e-9)
    w.explorer_dialog.close()
    QtCore.QCoreApplication.processEvents()
