"""Settings persistence, model files, exports, image datasets and the missing-data path."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads, wait_steps  # noqa: F401
from playground.gui._qt import QtWidgets

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def warnings(dialogs):
    return dialogs


def test_settings_persist_and_restore_defaults(qtbot, isolated_settings, no_leaked_threads, answers, dialogs):
    from playground.gui.app import create_window
    from playground.gui.controls import DEFAULTS

    w, c = create_window(restore_settings=True, ask=answers)
    qtbot.addWidget(w)
    w.show()
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("circles"))
    w.controls.layers.add_button.click()
    w.controls.eta.setValue(0.125)
    w.resize(1100, 700)
    w.close()
    assert list(isolated_settings.rglob("*.ini")), "settings must land in the temporary folder"

    w2, c2 = create_window(restore_settings=True, ask=answers)
    qtbot.addWidget(w2)
    w2.show()
    try:
        s = w2.controls.state()
        assert s["dataset"] == "circles" and s["hidden"] == [12, 12, 12] and s["eta"] == 0.125
        assert c2.network.spec.sizes == (2, 12, 12, 12, 2) and c2.dataset.name == "circles"
        # 1100 wide, unless the screen is narrower (the offscreen test screen is 800 x 800): a
        # restored size never overflows the screen, nor goes below the window's minimum.
        avail = w2.screen().availableGeometry().width()
        assert w2.width() == max(min(1100, avail - 16), w2.minimumSizeHint().width())
        w2.act_defaults.trigger()
        assert w2.controls.state()["hidden"] == DEFAULTS["hidden"]
        assert c2.dataset.name == DEFAULTS["dataset"]
    finally:
        w2.close()


def test_save_and_open_model(qtbot, gui, tmp_path, warnings):
    w, c = gui
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    saved_params = c.network.params.copy()
    path = tmp_path / "model.json"
    assert c.save_model_dialog(str(path)) and path.exists()

    w.act_reset_seed.trigger()
    assert not np.array_equal(c.network.params, saved_params)
    assert c.open_model_dialog(str(path))
    np.testing.assert_array_equal(c.network.params, saved_params)
    assert c.trainer.epoch == 1 and len(c.trainer.history) == 1

    trainer = c.trainer
    bad = tmp_path / "broken.json"
    bad.write_text("{ this is not a model")
    assert not c.open_model_dialog(str(bad))
    assert warnings and "broken.json" in warnings[-1][2]
    assert c.trainer is trainer                             # nothing lost
    np.testing.assert_array_equal(c.network.params, saved_params)
    assert not c.save_model_dialog(str(tmp_path / "no-such-dir" / "x.json"))
    assert len(warnings) == 2


def test_export_plots_and_metrics(qtbot, gui, tmp_path):
    w, c = gui
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active and len(c.trainer.history) == 2, timeout=30000)
    qtbot.wait(100)
    pngs = c.export_plots_dialog("png", str(tmp_path / "plots.png"))
    svgs = c.export_plots_dialog("svg", str(tmp_path / "plots.svg"))
    assert len(pngs) == 4 and all(p.stat().st_size > 1000 for p in pngs)
    assert len(svgs) == 4 and all("<svg" in p.read_text() for p in svgs)
    out = c.export_csv_dialog(str(tmp_path / "metrics.csv"))
    rows = list(csv.DictReader(out.open()))
    assert [r["epoch"] for r in rows] == ["1", "2"] and float(rows[0]["test_accuracy"]) > 0


def test_mnist_views(qtbot, gui, shared_mnist_dir, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    w, c = gui
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("mnist"))
    assert c.dataset.name == "mnist" and c.network.spec.sizes == (784, 100, 10)    # the image preset
    assert w.views.is_image and not w.views.diagram.drawable
    assert w.views.weights.mosaic.shape[0] > 28               # a mosaic of 28x28 tiles
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=60000)
    qtbot.wait(300)
    # Only the tab on show is redrawn; the others catch up when brought forward.
    assert int(w.views.confusion.matrix.sum()) == 0 and not w.views.mistakes.cells
    w.views.tabs.setCurrentWidget(w.views.confusion)
    qtbot.waitUntil(lambda: int(w.views.confusion.matrix.sum()) > 0, timeout=20000)
    conf = w.views.confusion.matrix
    assert conf.sum() == len(c.dataset.y_test)
    assert (conf.sum(axis=1) == np.bincount(c.dataset.y_test, minlength=10)).all()
    texts = w.views.confusion.texts                                       # % of each true class
    for i in range(10):
        share = 100 * conf[i, i] / conf[i].sum()
        assert texts[11 * i] == ("" if conf[i, i] == 0 else "<1" if share < 1 else str(round(min(share, 99))))
    w.views.tabs.setCurrentWidget(w.views.mistakes)
    qtbot.waitUntil(lambda: w.views.mistakes.shown > 0, timeout=20000)
    cells = list(w.views.mistakes.cells)
    assert "%" in cells[0].text.text() and not cells[0].pic.pixmap().isNull()
    w.act_step_epoch.trigger()                                # the gallery reuses its cells
    qtbot.waitUntil(lambda: not c.step_active, timeout=60000)
    qtbot.waitUntil(lambda: c.frames.analysis_epoch == 2 and c.frames.analysis_future is None, timeout=20000)
    qtbot.wait(100)
    assert w.views.mistakes.cells[:len(cells)] == cells and "test accuracy" in w.views.mistakes.header.text()


def test_missing_mnist_offers_options_and_never_crashes(qtbot, gui, monkeypatch):
    from playground.gui import datadialog

    w, c = gui
    seen = []

    def cancel(dlg):
        seen.append((dlg.download_button.isVisible() or dlg.download_button.isEnabled(), dlg.windowTitle()))
        dlg.reject()
        return 0

    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", cancel)
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("mnist"))
    assert seen and "MNIST" in seen[0][1]
    assert c.dataset.name == "spirals" and w.controls.state()["dataset"] == "spirals"
    assert w.act_play.isEnabled()


def test_download_runs_in_a_thread_with_progress(qtbot, gui, monkeypatch):
    from playground.core.errors import DataError
    from playground.gui import datadialog, dataload

    w, c = gui
    real_load = c.backend.load_dataset
    progress_seen = []

    def fake_load(name, **kw):
        if name != "mnist":
            return real_load(name, **kw)
        if not kw.get("allow_download"):
            raise DataError("could not find the MNIST files (test)")
        for done in range(0, 101, 20):                    # what pooch would report
            kw["progress"]("train-images-idx3-ubyte.gz", done * 1000, 100_000)
        ds = real_load("circles", noise=0.1, test_ratio=0.25, seed=1)
        ds.name = "mnist-fake"
        return ds

    monkeypatch.setattr(c.backend, "load_dataset", fake_load)

    def download(dlg):
        dlg._on_progress = lambda *a, _orig=dlg._on_progress: (progress_seen.append(a), _orig(*a))
        dlg._worker_hook = None
        dlg.download_button.click()
        qtbot.waitUntil(lambda: dlg.choice == "download", timeout=10000)
        return 1

    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", download)
    # The fake dataset is 2-D, so keep the network valid by checking only the dialog path.
    ds = dataload.missing_data(c.w, c.backend, "mnist", "missing", dict(noise=0.1, test_ratio=0.25, seed=1), None)
    assert ds is not None and ds.name == "mnist-fake"


def test_size_saved_on_a_big_monitor_is_clamped_to_the_screen(qtbot, isolated_settings, no_leaked_threads,
                                                               answers, dialogs):
    # Saved on a 4K monitor, restored on a 1280 x 800 projector: nothing may end up off-screen.
    from playground.gui import settings as st
    from playground.gui.app import create_window
    from playground.gui._qt import QtCore, QtGui

    big, _ = create_window(restore_settings=True, ask=answers)
    qtbot.addWidget(big)
    big.show()
    big.resize(3800, 2100)
    big.close()                                             # saves geometry and size
    assert st.value("window/size").width() == 3800

    w, c = create_window(restore_settings=True, ask=answers)
    qtbot.addWidget(w)
    w.show()
    try:
        avail = (w.screen() or QtGui.QGuiApplication.primaryScreen()).availableGeometry()
        least = w.minimumSizeHint()      # (the offscreen test screen is only 800 x 800)
        assert w.width() <= max(avail.width(), least.width())
        assert w.height() <= max(avail.height(), least.height())
    finally:
        w.close()


def test_histogram_titles_leave_room_for_every_layer(qtbot, gui):
    w, c = gui
    names = [f"hidden {i} (Leaky ReLU)" for i in range(1, 6)] + ["output (Softmax)"]
    w.plots.hist.configure(names)
    w.plots.hist.resize(560, 160)
    qtbot.wait(50)
    plots = w.plots.hist._plots
    assert len(plots) == 6
    # Every plot is inside the strip and gets a usable share of it.
    for p in plots:
        r = p.mapRectToScene(p.boundingRect())
        assert r.right() <= 560 + 1 and r.width() >= 50, (p.titleLabel.text, r)
    assert [p.toolTip() for p in plots] == names



def test_file_menu_actions_open_their_dialogs(qtbot, gui, tmp_path, warnings, monkeypatch):
    """File > Save model / Open model / Export metrics, as a person picks them: through the menu
    actions (Qt passes `checked` to a slot that takes an argument; it once landed in `path`)."""
    w, c = gui
    asked = []

    def pick(path):
        def dialog(parent, title, *args, **kw):
            asked.append(title)
            return str(path), ""
        return dialog

    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: not c.step_active, timeout=30000)
    saved = c.network.params.copy()
    model = tmp_path / "menu-model.json"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", pick(model))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", pick(model))
    w.act_save.trigger()
    assert asked == ["Save model"] and model.is_file()

    w.act_reset_seed.trigger()
    assert not np.array_equal(c.network.params, saved)
    w.act_open.trigger()
    qtbot.waitUntil(lambda: np.array_equal(c.network.params, saved), timeout=10000)
    assert asked[-1] == "Open model"

    csv_path = tmp_path / "menu-metrics.csv"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", pick(csv_path))
    w.act_export_csv.trigger()
    assert asked[-1] == "Export metrics" and csv_path.is_file()
    assert not warnings
