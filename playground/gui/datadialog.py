"""What to do when MNIST / Fashion-MNIST files are not on this machine: download them (in a
thread, with a progress bar, cancellable), pick a folder that holds them, or switch to
Fashion-MNIST from the system packages. Never crashes the window; Cancel keeps the old dataset."""
from __future__ import annotations

import threading
from pathlib import Path

from playground.core import catalogue
from playground.core.errors import PlaygroundError

from ._qt import QtCore, QtWidgets

from .labels import IMAGE_DATASETS

SYSTEM_FASHION = catalogue.DEBIAN_FASHION
# The four .gz files together, rounded up.
DOWNLOAD_MB = {IMAGE_DATASETS["mnist"]: 12, IMAGE_DATASETS["fashion-mnist"]: 31}

_OFFLINE = ("nameresolution", "name resolution", "failed to resolve", "getaddrinfo", "name or service not known",
            "nodename nor servname", "network is unreachable", "no route to host", "connection refused",
            "max retries exceeded", "connectionerror", "newconnectionerror")


def explain_download_failure(raw: str) -> str:
    """One sentence for a failed download; the raw report goes behind Details."""
    low = raw.lower()
    if "cancelled" in low:
        return "Download cancelled."
    if any(k in low for k in _OFFLINE):
        return ("No internet connection: the download server could not be reached. Connect to the internet "
                "and try again, or choose a folder that holds the files.")
    if "timed out" in low or "timeout" in low:
        return "The download server did not answer in time. Try again later, or choose a folder that holds the files."
    if "does not match its known hash" in low:
        return ("The downloaded files were damaged (they did not match the published checksums) and were deleted. "
                "Try again later, or choose a folder that holds the files.")
    if "permission" in low or "no space" in low or "read-only" in low:
        return "The files could not be saved on this computer (no permission or no space left)."
    return "The download did not work. Details says why."


def explain_folder_problem(title: str, folder: str, raw: str) -> str:
    """One sentence for a folder that could not be used."""
    first = raw.split(". ")[0].strip().rstrip(".")
    if "holds" in first.lower():         # e.g. "this folder holds MNIST, not Fashion-MNIST"
        return f"{first[:1].upper()}{first[1:]}."
    return f"That folder does not hold the {title} files. Details lists what was looked for."


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
    "fashion-mnist" (switch datasets), "folder" (with ``folder``), or None (cancelled).

    Written for the person in front of the class: what is missing, the ways to get it, and a
    failure as one sentence; the engine's own report (paths tried, exceptions) is behind Details."""

    def __init__(self, title: str, message: str, download, load_folder, offer_fashion: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"{title}: data needed")
        self.setMinimumWidth(620)
        self._title = title
        self._download = download
        self._load_folder = load_folder
        self.dataset = None
        self.choice = None
        self.folder = None
        self._thread = None
        self._worker = None
        size = DOWNLOAD_MB.get(title, 11)

        lay = QtWidgets.QVBoxLayout(self)
        lay.setSpacing(8)
        head = QtWidgets.QLabel(f"<h3>{title} is not on this computer yet</h3>"
                                f"The playground needs the four {title} files (about {size} MB: the training "
                                "and test pictures and their labels). Choose how to get them:")
        head.setWordWrap(True)
        lay.addWidget(head)

        self.download_button = QtWidgets.QPushButton(f"Download {title} (about {size} MB)")
        self.folder_button = QtWidgets.QPushButton("Choose a folder…")
        self.fashion_button = QtWidgets.QPushButton("Use Fashion-MNIST instead")
        grid = QtWidgets.QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(12)
        options = [
            (self.download_button, "Needs an internet connection. Done once: the files are kept on this "
                                   "computer for next time."),
            (self.folder_button, f"A folder that already holds the {title} files, e.g. copied from a USB "
                                 "stick: train-images-idx3-ubyte.gz and the three other .gz files."),
            (self.fashion_button, "Already installed on this computer: 28×28 pictures of clothes in ten "
                                  "classes. The same network fits them."),
        ]
        self._option_notes = []
        for row, (button, text) in enumerate(options):
            button.setMinimumHeight(34)
            note = QtWidgets.QLabel(text)
            note.setWordWrap(True)
            note.setStyleSheet("color: #444;")
            grid.addWidget(button, row, 0)
            grid.addWidget(note, row, 1)
            self._option_notes.append(note)
        self.fashion_button.setVisible(offer_fashion)
        self._option_notes[2].setVisible(offer_fashion)
        lay.addLayout(grid)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setVisible(False)
        self.progress_label = QtWidgets.QLabel()
        self.progress_label.setWordWrap(True)
        lay.addWidget(self.progress)
        lay.addWidget(self.progress_label)

        self.details_button = QtWidgets.QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setArrowType(QtCore.Qt.RightArrow)
        self.details_button.setToolButtonStyle(QtCore.Qt.ToolButtonTextBesideIcon)
        self.details_button.setAutoRaise(True)
        self.details = QtWidgets.QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(200)
        self.details.setVisible(False)
        self._set_details("Where the playground looked", message)
        self.details_button.toggled.connect(self._show_details)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Cancel)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.details_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        lay.addWidget(self.details)
        lay.addLayout(bottom)

        self.download_button.clicked.connect(self._start_download)
        self.folder_button.clicked.connect(self._choose_folder)
        self.fashion_button.clicked.connect(self._use_fashion)
        self.buttons.rejected.connect(self.reject)

    def _set_details(self, heading: str, text: str) -> None:
        self.details.setPlainText(f"{heading}:\n\n{text}")

    def _show_details(self, on: bool) -> None:
        self.details_button.setArrowType(QtCore.Qt.DownArrow if on else QtCore.Qt.RightArrow)
        self.details.setVisible(on)
        self.adjustSize()

    def _say_problem(self, sentence: str, raw: str, heading: str) -> None:
        self.progress_label.setText(f"<span style='color:#8a1010'>{sentence}</span>")
        self._set_details(heading, raw)
        self.adjustSize()           # a dialog does not grow by itself: make room for the sentence

    # ------------------------------------------------------------------ options
    def _use_fashion(self):
        self.choice = "fashion-mnist"
        self.accept()

    def _choose_folder(self):
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, f"Folder with the {self._title} files")
        if not folder:
            return
        try:
            self.dataset = self._load_folder(folder)
        except PlaygroundError as e:
            self._say_problem(explain_folder_problem(self._title, folder, str(e)), str(e),
                              f"Why {folder} was not used")
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
        self._say_problem(explain_download_failure(message), message, "What went wrong with the download")

    def reject(self):
        if self._worker is not None and self._thread is not None:
            self._worker.cancel.set()
            self._finish_thread()
        super().reject()
