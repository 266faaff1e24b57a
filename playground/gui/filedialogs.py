"""File menu commands: save and open a model, export plots and metrics, choose a data folder.
Each takes a path for tests and scripts; without one it asks with a file dialog."""
from __future__ import annotations

from pathlib import Path

from playground.core.errors import PlaygroundError

from ._qt import QtWidgets
from . import datafolders, fileload
from . import settings as st
from .labels import DATASET_LABELS


def ask_path(w, save: bool, title: str, start: str, filters: str) -> str:
    ask = QtWidgets.QFileDialog.getSaveFileName if save else QtWidgets.QFileDialog.getOpenFileName
    path, _ = ask(w, title, start, filters)
    return path


def save_model(ctrl, path: str | None = None) -> bool:
    w, trainer = ctrl.w, ctrl.trainer
    if trainer is None:
        return False
    path = path or ask_path(w, True, "Save model", st.value("files/last", ""), "Models (*.json *.npz)")
    if not path:
        return False
    try:
        # Trainer.save takes the trainer's lock, so it waits for the current chunk: no pause needed.
        ctrl.backend.save_model(trainer, path)
    except (PlaygroundError, OSError) as e:
        QtWidgets.QMessageBox.warning(w, "Could not save the model", str(e))
        return False
    st.set_value("files/last", str(Path(path).parent))
    w.statusBar().showMessage(f"Saved {path}", 5000)
    return True


def open_model(ctrl, path: str | None = None) -> bool:
    """Open a saved model into the run on show; on any failure nothing changes."""
    w = ctrl.w
    path = path or ask_path(w, False, "Open model", st.value("files/last", ""), "Models (*.json *.npz);;All files (*)")
    loaded = path and read_or_warn(w, path, "model", lambda: fileload.load_model(w, ctrl.backend, path))
    if not loaded:
        return False

    def show(controls):
        state = controls.state()
        dataset_name = getattr(loaded, "dataset_name", None) or ctrl.applied.get("dataset")
        if dataset_name in DATASET_LABELS:
            state["dataset"] = dataset_name
        cfg = getattr(loaded, "config", None)
        if cfg is not None:
            state.update(eta=cfg.eta, batch_size=cfg.batch_size, l2=cfg.l2, l1=cfg.l1, dropout=cfg.dropout,
                         optimizer=cfg.optimizer, seed=cfg.seed)
        controls.set_state(state)
        controls.set_spec(loaded.network.spec)
    return restore(ctrl, path, "model", show,
                   lambda dataset: ctrl.backend.trainer_from_saved(loaded, dataset, ctrl.w.controls.config()))


def read_or_warn(w, path: str, what: str, read):
    """``read()``; a file that cannot be read gets a warning and None (so does Cancel, silently).
    Nothing has changed yet: the current network keeps training / stays as it was."""
    try:
        return read()
    except (PlaygroundError, OSError, ValueError) as e:
        QtWidgets.QMessageBox.warning(w, f"Could not open the {what}", f"{path}\n\n{e}")
        return None


def restore(ctrl, path: str, what: str, show, make_trainer) -> bool:
    """Stop the run on show, ``show(controls)`` what was read, and attach ``make_trainer(dataset)``;
    if the data or the trainer cannot be had, the controls go back and nothing else changed."""
    w, controls = ctrl.w, ctrl.w.controls
    if not ctrl.stop_and_wait():
        return False
    applied = ctrl.applied
    show(controls)
    dataset = ctrl.dataset_for(controls.state())
    if dataset is None:
        controls.set_state(applied)
        return False
    try:
        trainer = make_trainer(dataset)
    except PlaygroundError as e:
        QtWidgets.QMessageBox.warning(w, f"Could not open the {what}", f"{path}\n\n{e}")
        controls.set_state(applied)
        return False
    ctrl.attach(dataset, trainer.network, trainer, controls.state())
    st.set_value("files/last", str(Path(path).parent))
    w.statusBar().showMessage(f"Opened {path}", 5000)
    return True


def export_plots(ctrl, fmt: str, path: str | None = None):
    from .export import export_plots as write
    w = ctrl.w
    path = path or ask_path(w, True, f"Export plots as {fmt.upper()}",
                             str(Path(st.value("files/last", "")) / f"plots.{fmt}"), f"{fmt.upper()} (*.{fmt})")
    if not path:
        return []
    try:
        written = write(w.plots.plot_widgets(), path, fmt)
    except Exception as e:
        QtWidgets.QMessageBox.warning(w, "Could not export the plots", str(e))
        return []
    w.statusBar().showMessage(f"Wrote {len(written)} files next to {path}", 5000)
    return written


def export_csv(ctrl, path: str | None = None):
    from .export import export_metrics_csv
    w = ctrl.w
    if ctrl.trainer is None:
        return None
    path = path or ask_path(w, True, "Export metrics", "metrics.csv", "CSV (*.csv)")
    if not path:
        return None
    try:
        out = export_metrics_csv(list(ctrl.trainer.history), path)
    except OSError as e:
        QtWidgets.QMessageBox.warning(w, "Could not export the metrics", str(e))
        return None
    w.statusBar().showMessage(f"Wrote {out}", 5000)
    return out


def choose_data_dir(ctrl) -> None:
    datafolders.choose(ctrl.w, ctrl.w.controls.state()["dataset"])
