"""Loading a run's dataset from the GUI: a wait cursor meanwhile, and when an image dataset is
missing, the dialog that downloads it, finds its folder or switches to Fashion-MNIST."""
from __future__ import annotations

from playground.core.errors import DataError

from ._qt import QtCore, QtWidgets
from . import datafolders
from .datadialog import SYSTEM_FASHION, MissingDataDialog
from .labels import DATASET_LABELS, IMAGE_DATASETS


SUBSET_KEYS = ("train_size", "validation_size", "n_samples", "standardise")


def subset_of(data_spec) -> dict:
    """What a run description asks of its data beyond the controls (a lesson's 1,000 training
    digits, say): the keys that differ from a plain DataSpec's."""
    plain = type(data_spec)()
    return {k: getattr(data_spec, k) for k in SUBSET_KEYS if getattr(data_spec, k) != getattr(plain, k)}


def load_dataset(w, backend, state: dict, subset: dict | None = None):
    """The dataset ``state`` (the controls' state) describes, or None (the banner says why);
    ``subset`` (see subset_of) narrows it."""
    name = state["dataset"]
    data_dir = datafolders.remembered(name)
    kw = dict(noise=state["noise"], test_ratio=state["test_ratio"], seed=state["seed"], **(subset or {}))
    QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.WaitCursor)
    try:
        w.status.set_state("loading")
        return backend.load_dataset(name, data_dir=data_dir, allow_download=False, **kw)
    except DataError as e:
        if name not in IMAGE_DATASETS or name == "my-digits":    # nothing to download or locate
            w.banner.show_message("error", f"Cannot make the dataset: {e}", [])
            return None
        message = str(e)
    finally:
        QtWidgets.QApplication.restoreOverrideCursor()
    return missing_data(w, backend, name, message, kw, data_dir, subset)


def missing_data(w, backend, name, message, kw, data_dir, subset=None):
    dlg = MissingDataDialog(
        DATASET_LABELS.get(name, name), message,
        download=lambda progress: backend.load_dataset(name, data_dir=data_dir, allow_download=True,
                                                       progress=progress, **kw),
        load_folder=lambda folder: backend.load_dataset(name, data_dir=folder, allow_download=False, **kw),
        offer_fashion=name == "mnist" and SYSTEM_FASHION.is_dir(), parent=w)
    dlg.exec()
    if dlg.choice == "folder" and dlg.folder:
        datafolders.remember(name, dlg.folder)
    if dlg.dataset is not None:
        return dlg.dataset
    if dlg.choice == "fashion-mnist":
        s = w.controls.state()
        s["dataset"] = "fashion-mnist"
        w.controls.set_state(s)
        return load_dataset(w, backend, w.controls.state(), subset)
    return None
