"""Image datasets in the window: the settings a dataset switch brings (with Undo), and the dialog
shown when the files are missing, read as a person reads it."""
from __future__ import annotations

import pytest

from gui_support import answers, dialogs, gui, isolated_settings, no_leaked_threads  # noqa: F401
from playground.gui._qt import QtCore, QtWidgets

pytestmark = pytest.mark.timeout(240)


def choose(w, name):
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData(name))


def test_switching_to_mnist_brings_its_settings_with_undo(qtbot, gui, shared_mnist_dir, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    w, c = gui
    w.controls.eta.setValue(0.05)                         # the person's own learning rate
    choose(w, "mnist")
    assert c.dataset.name == "mnist"
    spec, cfg = c.network.spec, c.trainer.config
    assert spec.sizes == (784, 100, 10) and spec.hidden_activations == ("relu",) and spec.weight_init == "he"
    assert cfg.eta == pytest.approx(0.05)                 # kept: they chose it
    assert w.banner.isVisible()
    text = w.banner.text.text()
    assert "Settings adjusted for MNIST digits" in text and "12–12 → <b>100</b>" in text
    assert "η" not in text and "ReLU" in text
    undo = w.banner.action_button("Undo")
    assert undo is not None
    undo.click()
    assert not w.banner.isVisible()
    assert c.dataset.name == "mnist" and c.network.spec.sizes == (784, 12, 12, 10)
    assert c.network.spec.hidden_activations == ("tanh", "tanh") and c.trainer.config.eta == pytest.approx(0.05)
    choose(w, "spirals")                                  # settings the person kept are theirs: no change
    assert c.network.spec.sizes == (2, 12, 12, 2) and not w.banner.isVisible()


def test_a_cancelled_switch_announces_nothing(qtbot, gui, monkeypatch):
    from playground.gui import datadialog

    w, c = gui
    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", lambda dlg: dlg.reject() or 0)
    monkeypatch.setattr(c.backend, "load_dataset", _missing(c.backend.load_dataset))
    choose(w, "fashion-mnist")
    assert c.dataset.name == "spirals" and w.controls.layers.sizes() == [12, 12]
    assert not (w.banner.isVisible() and "adjusted" in w.banner.text.text())


def test_the_note_names_the_dataset_the_missing_data_dialog_switched_to(qtbot, gui, monkeypatch):
    from playground.gui import datadialog

    if not datadialog.SYSTEM_FASHION.is_dir():
        pytest.skip("no system Fashion-MNIST to switch to")
    w, c = gui
    monkeypatch.setattr(c.backend, "load_dataset", _missing(c.backend.load_dataset, also_fashion=False))
    monkeypatch.setattr(datadialog.MissingDataDialog, "exec", lambda dlg: dlg.fashion_button.click() or 1)
    choose(w, "mnist")
    assert c.dataset.name == "fashion-mnist" and c.network.spec.sizes == (784, 100, 10)
    assert "Settings adjusted for Fashion-MNIST:" in w.banner.text.text()


def _missing(real, also_fashion=True):
    from playground.core.errors import DataError

    def load(name, **kw):
        if name == "mnist" or (name == "fashion-mnist" and also_fashion):
            raise DataError("could not find the files (test)")
        return real(name, **kw)
    return load


# ------------------------------------------------------------------------ the dialog
@pytest.fixture
def offline_dialog(qtbot, tmp_path, monkeypatch):
    """The dialog for MNIST with a download that really fails: a host that never resolves."""
    from playground.core.data.dataset import load_dataset
    from playground.core.errors import DataError
    from playground.gui import theme
    from playground.gui.datadialog import MissingDataDialog

    monkeypatch.delenv("NN_PLAYGROUND_DATA", raising=False)
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path / "cache"))
    try:
        load_dataset("mnist", allow_download=False)
    except DataError as e:
        first = str(e)
    else:
        pytest.skip("MNIST is installed system-wide here")

    def download(progress):
        return load_dataset("mnist", allow_download=True, progress=progress,
                            base_url="https://example.invalid/mnist/")

    dlg = MissingDataDialog("MNIST digits", first, download=download, load_folder=lambda f: None,
                            offer_fashion=True)
    font = dlg.font()                       # the window's font size (make_app), where text wraps more
    font.setPointSizeF(max(font.pointSizeF(), theme.BASE_POINT_SIZE))
    dlg.setFont(font)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def visible_text(dlg) -> str:
    return " ".join(lab.text() for lab in dlg.findChildren(QtWidgets.QLabel) if lab.isVisibleTo(dlg)) + " " + \
        " ".join(b.text() for b in dlg.findChildren(QtWidgets.QAbstractButton) if b.isVisibleTo(dlg))


def test_missing_data_dialog_speaks_to_a_person(qtbot, offline_dialog):
    dlg = offline_dialog
    shown = visible_text(dlg)
    for developer_word in ("data_dir", "--data-dir", "allow_download", "NN_PLAYGROUND"):
        assert developer_word not in shown
    assert "MNIST digits is not on this computer yet" in shown
    assert "Download MNIST digits (about 12 MB)" in shown
    assert "Choose a folder" in shown and "Use Fashion-MNIST instead" in shown
    assert not dlg.details.isVisibleTo(dlg)
    dlg.details_button.click()                      # the engine's report is one click away
    assert dlg.details.isVisibleTo(dlg) and "--data-dir" in dlg.details.toPlainText()
    dlg.details_button.click()
    assert not dlg.details.isVisibleTo(dlg)


def test_failed_download_is_one_sentence_with_details_behind_a_toggle(qtbot, offline_dialog):
    dlg = offline_dialog
    dlg.download_button.click()
    qtbot.waitUntil(lambda: dlg.download_button.isEnabled(), timeout=30000)
    said = dlg.progress_label.text()
    assert "No internet connection:" in said and "HTTPSConnectionPool" not in said
    assert said.count(". ") <= 2 and len(said) < 300
    assert dlg.choice is None and dlg.dataset is None
    assert_nothing_cut_off(qtbot, dlg)
    assert not dlg.details.isVisibleTo(dlg)
    dlg.details_button.click()
    assert "NameResolutionError" in dlg.details.toPlainText() or "resolve" in dlg.details.toPlainText()
    assert_nothing_cut_off(qtbot, dlg)
    assert dlg.height() <= 760 and dlg.width() <= 1260     # fits a 1280 x 800 screen


def assert_nothing_cut_off(qtbot, dlg):
    """Every label has the height its wrapped text needs (a dialog does not grow by itself)."""
    qtbot.wait(50)
    for lab in dlg.findChildren(QtWidgets.QLabel):
        if lab.isVisibleTo(dlg) and lab.text():
            assert lab.height() >= lab.heightForWidth(lab.width()) - 1, lab.text()[:40]


@pytest.mark.parametrize("raw, start", [
    ("download from https://x failed: HTTPSConnectionPool(host='x'): Max retries exceeded (Caused by "
     "NameResolutionError(...))", "No internet connection:"),
    ("download from https://x failed: Read timed out. (read timeout=30)", "The download server did not answer"),
    ("downloaded https://x/a.gz but it does not match its known hash, so it was removed", "The downloaded files"),
    ("Download cancelled.", "Download cancelled."),
    ("something else (matching the published hashes)", "The download did not work."),
])
def test_download_failures_in_one_sentence(raw, start):
    from playground.gui.datadialog import explain_download_failure

    assert explain_download_failure(raw).startswith(start)


def test_a_folder_that_cannot_be_used_in_one_sentence():
    from playground.gui.datadialog import explain_folder_problem

    raw = ("MNIST is not in the folder you gave: --data-dir /tmp/x: missing train-images-idx3-ubyte.gz. "
           "Point --data-dir at the folder holding the files")
    assert explain_folder_problem("MNIST digits", "/tmp/x", raw) == \
        "That folder does not hold the MNIST digits files. Details lists what was looked for."
    said = explain_folder_problem("Fashion-MNIST", "/tmp/x", "this folder holds MNIST, not Fashion-MNIST. More.")
    assert said == "This folder holds MNIST, not Fashion-MNIST."
