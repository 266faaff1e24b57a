"""The window with hostile model files and data folders of the wrong dataset (issues 8.2 and 7.1).

Real dialogs are driven: the missing-data dialog's buttons are clicked, the progress dialog's
Cancel button is clicked with the mouse, and the folder chooser is the only thing replaced (a
native file dialog cannot be driven offscreen).
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtCore, QtWidgets

pytestmark = pytest.mark.timeout(240)
SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")


def _pick_folder(monkeypatch, folder):
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))


def _looks_like(ds) -> str | None:
    from playground.core.data.identify import identify_images
    return identify_images(np.rint(ds.x_test.reshape(-1, 28, 28) * 255).astype(np.uint8))


@pytest.mark.skipif(not SYSTEM_FASHION.is_dir(), reason="no system Fashion-MNIST")
def test_folder_chosen_for_mnist_is_never_used_for_fashion(qtbot, gui, shared_mnist_dir, monkeypatch):
    from playground.gui import datadialog
    w, c = gui
    opened = []
    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", lambda dlg: opened.append(dlg) or dlg.reject())
    _pick_folder(monkeypatch, shared_mnist_dir)
    w.act_data_dir.trigger()                          # Data folder…: the shared MNIST folder

    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("mnist"))
    assert c.dataset.name == "mnist" and _looks_like(c.dataset) == "mnist"
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("fashion-mnist"))
    # Before: the same folder was used, and Fashion-MNIST trained on handwritten digits.
    assert not opened, "the MNIST folder must not even be tried for Fashion-MNIST"
    assert c.dataset.name == "fashion-mnist" and _looks_like(c.dataset) == "fashion-mnist"
    assert c.network.spec.sizes[0] == 784


def test_the_old_shared_folder_goes_to_the_dataset_it_holds(qtbot, isolated_settings, shared_mnist_dir):
    from playground.gui import datafolders
    from playground.gui import settings as st
    st.set_value("data/dir", str(shared_mnist_dir))
    assert datafolders.remembered("fashion-mnist") is None
    assert datafolders.remembered("mnist") == str(shared_mnist_dir)
    assert st.value("data/dir") is None


def test_missing_dialog_refuses_an_mnist_folder_for_fashion(qtbot, gui, shared_mnist_dir, monkeypatch):
    from playground.gui import datadialog, dataload, datafolders
    w, c = gui
    seen = []

    def pick_mnist_folder(dlg):
        _pick_folder(monkeypatch, shared_mnist_dir)
        qtbot.mouseClick(dlg.folder_button, QtCore.Qt.LeftButton)
        seen.append(dlg.progress_label.text())
        dlg.reject()
        return 0

    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", pick_mnist_folder)
    ds = dataload.missing_data(c.w, c.backend, "fashion-mnist", "missing", dict(noise=0.1, test_ratio=0.25, seed=1), None)
    assert ds is None
    assert "holds MNIST, not Fashion-MNIST" in seen[0]
    assert datafolders.remembered("fashion-mnist") is None


def test_hostile_model_file_is_a_dialog_and_loses_nothing(qtbot, gui, tmp_path, dialogs):
    from playground.core.persist import MAX_JSON_CONTAINERS
    w, c = gui
    good = tmp_path / "good.json"
    assert c.save_model_dialog(str(good))
    d = json.loads(good.read_text())
    d["extras"] = {"pad": [{}] * (MAX_JSON_CONTAINERS + 1)}
    bad = tmp_path / "padded.json"
    bad.write_text(json.dumps(d))
    trainer, params = c.trainer, c.network.params.copy()
    assert not c.open_model_dialog(str(bad))
    assert dialogs[-1][1] == "Could not open the model" and "objects and lists" in dialogs[-1][2]
    assert c.trainer is trainer
    np.testing.assert_array_equal(c.network.params, params)


def test_slow_model_load_runs_off_the_gui_thread_with_progress_and_cancel(qtbot, gui, tmp_path, monkeypatch,
                                                                           dialogs):
    w, c = gui
    threads, stopped = [], threading.Event()

    def slow_load(path, progress=None):
        threads.append(threading.current_thread())
        for i in range(2000):                      # 20 s unless cancelled
            progress(i / 2000)
            time.sleep(0.01)
        stopped.set()
        raise AssertionError("the load should have been cancelled")

    monkeypatch.setattr(c.backend, "load_model", slow_load)
    seen, ticks = {}, []
    ticker = QtCore.QTimer()
    ticker.timeout.connect(lambda: ticks.append(1))     # the GUI thread keeps running its event loop
    ticker.start(20)

    def press_cancel():
        dlg = next((wd for wd in QtWidgets.QApplication.topLevelWidgets()
                    if isinstance(wd, QtWidgets.QProgressDialog) and wd.isVisible()), None)
        if dlg is None:
            QtCore.QTimer.singleShot(50, press_cancel)
            return
        qtbot.waitUntil(lambda: dlg.value() > 0, timeout=5000)    # progress arrives from the thread
        seen.update(label=dlg.labelText(), value=dlg.value(), ticks=len(ticks))
        button = dlg.findChild(QtWidgets.QPushButton)
        qtbot.mouseClick(button, QtCore.Qt.LeftButton)

    QtCore.QTimer.singleShot(50, press_cancel)
    trainer, params = c.trainer, c.network.params.copy()
    path = tmp_path / "big.json"
    path.write_text("{}")
    assert c.open_model_dialog(str(path)) is False
    ticker.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert "big.json" in seen["label"] and seen["value"] > 0 and seen["ticks"] > 5
    assert not stopped.is_set() and not dialogs          # cancelled: no error dialog
    assert c.trainer is trainer
    np.testing.assert_array_equal(c.network.params, params)
    qtbot.waitUntil(lambda: not threads[0].is_alive(), timeout=5000)   # stops at its next progress call


def test_quick_model_load_shows_no_dialog(qtbot, gui, tmp_path, monkeypatch):
    from playground.gui import fileload
    w, c = gui
    path = tmp_path / "m.json"
    assert c.save_model_dialog(str(path))
    made = []
    real = fileload.BackgroundRead.wait

    def spy(self):
        result = real(self)
        made.append(self.dialog)
        return result
    monkeypatch.setattr(fileload.BackgroundRead, "wait", spy)
    assert c.open_model_dialog(str(path))
    assert made == [None]
