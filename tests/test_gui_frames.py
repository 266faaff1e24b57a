"""What keeps the window's frames short while training runs at full speed.

The figure itself (the largest gap of a 10 ms timer) is measured by ``nn-playground selftest`` and
``nn-playground bench --ui``, not by a timed test. These tests check the mechanisms behind it,
each of which once cost a frame its budget: one paint per plot update (pyqtgraph used to paint a
plot twice when its range changed), histograms one layer a frame with bounded axes that never
move, and long curves thinned without losing their spikes.
"""
from __future__ import annotations

import collections
from types import SimpleNamespace

import numpy as np
import pytest

from gui_support import make_panel
from playground.gui.series import peak_decimate

pytestmark = pytest.mark.timeout(120)


# ---------------------------------------------------------------------------- thinning curves
def _brute_peaks(x, y, max_points):
    """Slow, obvious version: walk the buckets one by one."""
    n = len(x)
    k = -(-n // (max_points // 2))
    xs, ys = [], []
    for start in range(0, n, k):
        chunk = y[start:start + k]
        finite = chunk[np.isfinite(chunk)]
        lo = finite.min() if len(finite) else np.nan
        hi = finite.max() if len(finite) else np.nan
        xs += [x[start], x[start]]
        ys += [lo, hi]
    xs[-1] = x[-1]
    return np.array(xs), np.array(ys)


@pytest.mark.parametrize("n, max_points", [(10, 20), (1000, 200), (1001, 200), (12345, 800), (999, 7)])
def test_peak_decimate_matches_a_bucket_by_bucket_walk(n, max_points):
    rng = np.random.default_rng(n)
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    y = rng.normal(size=n)
    y[rng.integers(0, n, size=max(1, n // 50))] = np.nan
    y[n // 3] = 40.0                       # a spike that must survive
    got_x, got_y = peak_decimate(x, y, max_points)
    if n <= max_points:
        assert got_x is x and got_y is y
        return
    want_x, want_y = _brute_peaks(x, y, max_points)
    np.testing.assert_array_equal(got_x, want_x)
    np.testing.assert_array_equal(got_y, want_y)
    assert len(got_x) <= max_points + 2
    assert np.nanmax(got_y) == 40.0 and np.nanmin(got_y) == np.nanmin(y)
    assert got_x[0] == x[0] and got_x[-1] == x[-1]


def test_peak_decimate_keeps_a_gap_where_a_whole_bucket_is_missing():
    x = np.arange(1000.0)
    y = np.ones(1000)
    y[400:600] = np.nan                    # e.g. zero gradients, left out of a log plot
    _, got = peak_decimate(x, y, 100)      # buckets of 20
    assert np.isnan(got).sum() >= 2 * 9
    assert np.nanmin(got) == 1.0


# ---------------------------------------------------------------------------- painting
@pytest.fixture
def paint_log(monkeypatch):
    """Counts paint events per plot widget (by title)."""
    from playground.gui._qt import pg

    log = collections.Counter()
    original = pg.GraphicsView.paintEvent

    def paint(self, ev):
        try:
            name = self.getPlotItem().titleLabel.text
        except AttributeError:
            name = type(self).__name__
        log[name] += 1
        return original(self, ev)

    monkeypatch.setattr(pg.GraphicsView, "paintEvent", paint)
    return log


def _snapshot(i, n_layers=3):
    return SimpleNamespace(epoch_fraction=i / 4, samples_seen=i * 100, train_loss=1 / (1 + i / 50),
                           grad_w_norm=np.linspace(0.1, 0.3, n_layers) * np.exp(-i / 300),
                           weight_norm=np.arange(1, n_layers + 1) * (1 + i / 100))


def _record(i):
    return SimpleNamespace(epoch=i, training_loss=1 / (1 + i), validation_loss=None, test_loss=1.1 / (1 + i),
                           training_accuracy=min(1.0, i / 100), validation_accuracy=None,
                           test_accuracy=min(1.0, i / 110))


def _settle(qtbot, app):
    for _ in range(6):
        app.processEvents()
        qtbot.wait(5)


@pytest.fixture
def panel(qtbot, paint_log):
    return make_panel(qtbot)


def test_each_plot_update_paints_that_plot_once(qtbot, panel, paint_log):
    """A plot whose x and y ranges change with new data must be painted once, not twice: the
    second paint (pyqtgraph applying the view transform lazily, or an axis growing after the
    first paint) landed in the next frame on top of that frame's own work."""
    from playground.gui._qt import QtWidgets

    app = QtWidgets.QApplication.instance()
    _settle(qtbot, app)
    titles = {"loss": "Loss", "accuracy": "Accuracy", "grad": "Gradient norm", "wnorm": "Weight norm"}
    extra = []
    i = 1
    for round_ in range(6):
        # Ranges grow a lot between rounds, so every part changes its axes.
        for _ in range(40 * (round_ + 1)):
            panel.add_snapshot(_snapshot(i))
            if i % 4 == 0:
                panel.add_epoch(_record(i // 4), i * 100)
            i += 1
        for _ in range(len(panel.PARTS)):
            paint_log.clear()
            part = panel.PARTS[panel._rr % len(panel.PARTS)]
            panel.redraw(budget=1)
            _settle(qtbot, app)
            if part in titles:
                if paint_log[titles[part]] != 1:
                    extra.append((round_, part, dict(paint_log)))
                others = {k: v for k, v in paint_log.items() if k != titles[part] and k != "HistogramStrip"}
                assert not others, (part, others)
    # The first round may grow the fixed-width axes' neighbours; after that, one paint each.
    assert not [e for e in extra if e[0] > 0], extra


def _heights(curve):
    y = curve.getData()[1]
    return np.array([]) if y is None else y.copy()


def test_histograms_draw_one_layer_a_frame_and_bounded_axes_stay_put(qtbot, panel):
    hists = panel.hist
    rng = np.random.default_rng(0)

    def layer_hist(layer, spread):
        lo, hi = {0: (-spread, spread), 1: (0.0, 3 * spread), 2: (0.0, spread)}[layer]
        counts, edges = np.histogram(rng.uniform(lo, hi, 500), bins=30)
        return SimpleNamespace(layer=layer, a_counts=counts, a_edges=edges, dead_fraction=0.0,
                               saturated_fraction=0.0)

    ranges = []
    for spread in (0.05, 0.4, 0.9, 0.2):
        panel.set_histograms([layer_hist(j, spread) for j in range(3)])
        panel._dirty = {"hist"}
        drawn = []
        for _ in range(3):
            before = [_heights(c) for c in hists._curves]
            panel.redraw(budget=1)
            drawn.append([j for j, c in enumerate(hists._curves) if not np.array_equal(before[j], _heights(c))])
        assert drawn == [[0], [1], [2]], drawn
        assert "hist" not in panel._dirty
        ranges.append([tuple(p.getViewBox().viewRange()[0]) for p in hists._plots])
    tanh_x = {r[0] for r in ranges}
    softmax_x = {r[2] for r in ranges}
    assert len(tanh_x) == 1 and len(softmax_x) == 1, ranges      # bounded: the axis never moved
    lo, hi = tanh_x.pop()
    assert lo < -1.0 < 1.0 < hi and hi - lo < 2.5
    for r in ranges:                                              # ReLU: the lower end stays at 0
        lo, hi = r[1]
        assert -0.1 * (hi - lo) < lo < 0.0
