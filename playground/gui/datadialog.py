"""What to do when MNIST / Fashion-MNIST files are not on this machine: download them (in a
thread, with a progress bar, cancellable), pick a folder that holds them, or switch to
Fashion-MNIST from the system packages. Never crashes the window; Cancel keeps the old dataset."""
from __future__ import annotations

import threading
from pathlib import Path

from playground.core.errors import PlaygroundError

from ._qt import QtCore, QtWidgets

SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")


class _Cancelled(Exception):
    pass


class LoadWorker(QtCore.QObject):
    """Calls ``load(progress)`` in a thread. Progress is reported at most ~20 times a second."""

    sigProgress = QtCore.Signal(str, int, int)      # file, done bytes, total bytes (0 = unknown)
    sigDone = QtCore.Signal(object)                 # Dataset
    sigFailed = QtCore.Signal(str)

    def __init__(self, load):
        super().__init__()
        self._load = load
        self.cancel = threading.Event()
        self._last = 0.0

    def _progress(self, name, done, total):
        if self.cancel.is_set():
            raise _Cancelled()
        import time
        now = time.monotonic()
        if now - self._last > 0.05 or (total and done >= total):
            self._last = now
            self.sigProgress.emit(str(name), int(done), int(total or 0))

    @QtCore.Slot()
    def run(self):
        try:
            self.sigDone.emit(self._load(self._progress))
        except _Cancelled:
            self.sigFailed.emit("Download cancelled.")
        except PlaygroundError as e:
            self.sigFailed.emit(str(e))
        except Exception as e:  # network stack errors etc.: shown, never raised into Qt
            if isinstance(e.__context__, _Cancelled) or "Cancelled" in type(e).__name__:
                self.sigFailed.emit("Download cancelled.")
            else:
                self.sigFailed.emit(f"{type(e).__name__}: {e}")


class MissingDataDialog(QtWidgets.QDialog):
    """``download(progress) -> Dataset`` is provided by the controller. After exec():
    ``dataset`` is set (downloaded or loaded from the chosen folder), or ``choice`` is
    "fashion-mnist" (switch datasets), "folder" (with ``folder``), or None (cancelled)."""

    def __init__(self, title: str, message: str, download, load_folder, offer_fashion: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"{title} is not on this computer yet")
        self.setMinimumWidth(640)
        self._download = download
        self._load_folder = load_folder
        self.dataset = None
        self.choice = None
        self.folder = None
        self._thread = None
        self._worker = None

        lay = QtWidgets.QVBoxLayout(self)
        head = QtWidgets.QLabel(f"<h3>{title} is not on this computer yet</h3>"
                                "Choose one of the options below. The details say where the playground looked.")
        head.setWordWrap(True)
        lay.addWidget(head)
        details = QtWidgets.QPlainTextEdit(message)
        details.setReadOnly(True)
        details.setMaximumHeight(170)
        lay.addWidget(details)

        self.download_button = QtWidgets.QPushButton(f"Download {title} (about 11 MB, once)")
        self.folder_button = QtWidgets.QPushButton("Choose a folder holding the four .gz files…")
        self.fashion_button = QtWidgets.QPushButton("Use Fashion-MNIST installed on this system instead")
        self.fashion_button.setVisible(offer_fashion)
        for b in (self.download_button, self.folder_button, self.fashion_button):
            b.setMinimumHeight(34)
            lay.addWidget(b)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setVisible(False)
        self.progress_label = QtWidgets.QLabel()
        self.progress_label.setWordWrap(True)
        lay.addWidget(self.progress)
        lay.addWidget(self.progress_label)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Cancel)
        lay.addWidget(self.buttons)

        self.download_button.clicked.connect(self._start_download)
        self.folder_button.clicked.connect(self._choose_folder)
        self.fashion_button.clicked.connect(self._use_fashion)
        self.buttons.rejected.connect(self.reject)

    # ------------------------------------------------------------------ options
    def _use_fashion(self):
        self.choice = "fashion-mnist"
        self.accept()

    def _choose_folder(self):
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Folder with the MNIST files")
        if not folder:
            return
        try:
            self.dataset = self._load_folder(folder)
        except PlaygroundError as e:
            self.progress_label.setText(f"<span style='color:#8a1010'>{e}</span>")
            return
        self.choice, self.folder = "folder", folder
        self.accept()

    def _start_download(self):
        self.download_button.setEnabled(False)
        self.folder_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.progress_label.setText("Connecting…")
        self._thread = QtCore.QThread(self)
        self._worker = LoadWorker(self._download)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.sigProgress.connect(self._on_progress)
        self._worker.sigDone.connect(self._on_done)
        self._worker.sigFailed.connect(self._on_failed)
        self._thread.start()

    def _on_progress(self, name, done, total):
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        self.progress_label.setText(f"{name}: {done / 1e6:.1f}" + (f" of {total / 1e6:.1f} MB" if total else " MB"))

    def _finish_thread(self):
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(10000)
            self._thread = None

    def _on_done(self, dataset):
        self._finish_thread()
        self.dataset = dataset
        self.choice = "download"
        self.accept()

    def _on_failed(self, message):
        self._finish_thread()
        self.progress.setVisible(False)
        self.download_button.setEnabled(True)
        self.folder_button.setEnabled(True)
        self.progress_label.setText(f"<span style='color:#8a1010'>Download failed: {message}</span>")

    def reject(self):
        if self._worker is not None and self._thread is not None:
            self._worker.cancel.set()
            self._finish_thread()
        super().reject()
