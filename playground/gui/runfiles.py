"""File > Save run / Open run: the active session as a ``.nnrun`` file (core.runfile): its RunSpec
from the applied controls, plus the trained parameters and history. Each takes a path for tests and
scripts; without one it asks with a file dialog."""
from __future__ import annotations

from pathlib import Path

from playground.core.errors import PlaygroundError
from playground.core.runfile import SUFFIX, load_run, save_run
from playground.core.runspec import RunSpec

from ._qt import QtWidgets
from . import settings as st
from .fileload import BackgroundRead
from .neuron import is_edited, mark_edited
from .filedialogs import ask_path, read_or_warn, restore

FILTERS = f"Runs (*{SUFFIX})"


def save(ctrl, path: str | None = None) -> bool:
    w, trainer = ctrl.w, ctrl.trainer
    if trainer is None or not ctrl.applied:
        return False
    path = path or ask_path(w, True, "Save run", st.value("files/last", ""), FILTERS)
    if not path:
        return False
    try:
        run = RunSpec.from_settings(ctrl.applied)
    except PlaygroundError as e:
        QtWidgets.QMessageBox.warning(w, "Could not save the run", str(e))
        return False
    return write(w, path, run, trainer) is not None


def write(w, path, run, trainer=None, state: str | None = None):
    """``run`` (with ``trainer``'s parameters and history, if given) saved to ``path``; a warning
    and None when it cannot be, else the path written (said in the status bar)."""
    try:
        if trainer is None:
            written = save_run(path, run)
        else:
            # The trainer's lock waits for the current chunk, so parameters and history agree.
            with trainer.lock:
                written = save_run(path, run, trainer, state, edited=is_edited(trainer))
    except (PlaygroundError, OSError) as e:
        QtWidgets.QMessageBox.warning(w, "Could not save the run", str(e))
        return None
    st.set_value("files/last", str(written.parent))
    w.statusBar().showMessage(f"Saved {written}", 5000)
    return written


def open_(ctrl, path: str | None = None) -> bool:
    """Restore a saved run's controls and trained network; on any failure nothing changes."""
    w = ctrl.w
    path = path or ask_path(w, False, "Open run", st.value("files/last", ""), f"{FILTERS};;All files (*)")
    rf = path and read_or_warn(w, path, "run", lambda: BackgroundRead(
        lambda _progress: load_run(path), w, f"Reading {Path(path).name}…", "Opening a run").wait())
    if not rf:
        return False

    def show(controls):
        settings = rf.run.to_settings()
        settings["per_layer"] = len(set(settings["hidden_activations"])) > 1
        controls.set_state(settings)
    ok = restore(ctrl, path, "run", show,
                 lambda dataset: rf.trainer(dataset, probe_every=getattr(ctrl.backend, "probe_every", 0.25)))
    if ok and rf.edited and ctrl.trainer is not None:
        mark_edited(w, ctrl.trainer)        # still edited: saved again, it says so again
    return ok
