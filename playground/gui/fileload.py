"""Reading a file off the GUI thread: the window keeps painting, and a read that takes more than
a moment shows a progress dialog with Cancel.

A model file may be hundreds of MB of JSON (seconds to parse). The read runs in a Python thread;
the core's loader calls ``progress(fraction)`` now and then, which is also where Cancel takes
effect (it raises Cancelled there). Until the dialog appears, user input is held back, so the
window cannot be changed under a load that is about to finish.
"""
from __future__ import annotations

import inspect
import threading
import time

from playground.core.errors import Cancelled

from ._qt import QtCore, QtWidgets

DIALOG_AFTER_MS = 300       # quicker loads show no dialog at all
POLL_MS = 30


class BackgroundRead:
    """``work(progress)`` in a daemon thread; ``wait()`` returns its result, raises its error, or
    returns None when the person cancelled."""

    def __init__(self, work, parent=None, label: str = "Reading…", title: str = "Opening"):
        self._work, self._parent, self._label, self._title = work, parent, label, title
        self.cancel = threading.Event()
        self.fraction = 0.0
        self.dialog: QtWidgets.QProgressDialog | None = None   # tests reach the dialog here
        self._result = self._error = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fileload", daemon=True)

    def _progress(self, fraction: float) -> None:
        if self.cancel.is_set():
            raise Cancelled("cancelled")
        self.fraction = float(fraction)

    def _run(self) -> None:
        try:
            self._result = self._work(self._progress)
        except BaseException as e:          # handed to the GUI thread, raised there
            self._error = e
        finally:
            self._done.set()

    def _spin(self, ms: int, flags) -> None:
        """Run the Qt event loop until the read is done, ``ms`` have passed, or Cancel."""
        loop = QtCore.QEventLoop()
        deadline = time.monotonic() + ms / 1000 if ms else None
        timer = QtCore.QTimer()
        timer.setInterval(POLL_MS)

        def over() -> bool:
            return self._done.is_set() or self.cancel.is_set() or bool(deadline and time.monotonic() >= deadline)

        def poll():
            if self.dialog is not None:
                self.dialog.setValue(int(1000 * self.fraction))
            if over():
                loop.quit()
        timer.timeout.connect(poll)
        timer.start()
        if not over():
            loop.exec(flags)
        timer.stop()

    def wait(self):
        self._thread.start()
        self._spin(DIALOG_AFTER_MS, QtCore.QEventLoop.ExcludeUserInputEvents)
        if not self._done.is_set():
            self.dialog = QtWidgets.QProgressDialog(self._label, "Cancel", 0, 1000, self._parent)
            self.dialog.setWindowTitle(self._title)
            self.dialog.setWindowModality(QtCore.Qt.WindowModal)
            self.dialog.setMinimumDuration(0)
            self.dialog.setMinimumWidth(420)     # room for the file name and the title
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel.set)
            self.dialog.show()
            self._spin(0, QtCore.QEventLoop.AllEvents)
            self.dialog.close()
            self.dialog.deleteLater()
        if self.cancel.is_set() and not self._done.is_set():
            return None        # the thread stops at its next progress call; its result is dropped
        if isinstance(self._error, Cancelled):
            return None
        if self._error is not None:
            raise self._error
        return self._result


def load_model(parent, backend, path):
    """``backend.load_model(path)`` off the GUI thread; None if the person cancelled."""
    accepts_progress = "progress" in inspect.signature(backend.load_model).parameters
    work = ((lambda progress: backend.load_model(path, progress=progress)) if accepts_progress
            else (lambda _progress: backend.load_model(path)))
    from pathlib import Path
    return BackgroundRead(work, parent, f"Reading {Path(path).name}…", "Opening a model").wait()
