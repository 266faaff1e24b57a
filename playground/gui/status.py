"""Status bar fields: state, the latest test accuracy, epoch, samples seen, samples/s, elapsed,
learning rate."""
from __future__ import annotations

from ._qt import QtCore, QtWidgets

STATE_COLOURS = {
    "idle": ("#555", "#eee"), "ready": ("#555", "#eee"), "compiling": ("#7a4b00", "#ffe7b3"),
    "loading": ("#7a4b00", "#ffe7b3"), "preparing": ("#7a4b00", "#ffe7b3"),
    "training": ("#0b5d1e", "#cdf2d6"), "paused": ("#0a3d7a", "#d6e6fb"), "diverged": ("#8a1010", "#fdd"),
    "done": ("#333", "#e4e4e4"), "stopped": ("#333", "#e4e4e4"), "error": ("#8a1010", "#fdd"),
}
STATE_TEXT = {"compiling": "compiling…", "loading": "loading data…", "preparing": "preparing…"}


def fmt_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class StatusFields(QtCore.QObject):
    def __init__(self, bar: QtWidgets.QStatusBar):
        super().__init__(bar)
        self.state = QtWidgets.QLabel()
        self.state.setAlignment(QtCore.Qt.AlignCenter)
        self.state.setMinimumWidth(120)
        self.epoch = QtWidgets.QLabel()
        self.samples = QtWidgets.QLabel()
        self.rate = QtWidgets.QLabel()
        self.elapsed = QtWidgets.QLabel()
        self.eta = QtWidgets.QLabel()
        for w in (self.epoch, self.samples, self.rate, self.elapsed, self.eta):
            w.setMinimumWidth(90)
            bar.addPermanentWidget(w)
        bar.insertPermanentWidget(0, self.state)
        # The one number people ask for first ("how good is it?"): large, beside the state.
        self.accuracy = QtWidgets.QLabel()
        self.accuracy.setStyleSheet("QLabel { font-weight: bold; font-size: 11pt; padding: 0 6px; }")
        self.accuracy.setToolTip("Accuracy on the test set after the latest epoch (on the validation set "
                                 "when there is no test set)")
        bar.insertPermanentWidget(1, self.accuracy)
        self.set_accuracy(None)
        self.set_state("idle")
        self.set_progress(0, 0.0, 0, 0.0, 0.0, None)

    def set_state(self, state: str) -> None:
        fg, bg = STATE_COLOURS.get(state, ("#333", "#eee"))
        self.state.setText(STATE_TEXT.get(state, state))
        self.state.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border-radius: 4px;"
                                 f" padding: 2px 10px; font-weight: bold; }}")
        self.state.setAccessibleName(f"Training state: {state}")

    def set_accuracy(self, record) -> None:
        """The latest EpochRecord's test accuracy (validation without a test set); None: none yet."""
        label, value = "test", None if record is None else record.test_accuracy
        if value is None and record is not None and record.validation_accuracy is not None:
            label, value = "validation", record.validation_accuracy
        self.accuracy.setText(f"{label} accuracy —" if value is None else f"{label} accuracy {value * 100:.1f} %")
        self.accuracy.setAccessibleName(self.accuracy.text())

    def set_progress(self, epoch: int, epoch_fraction: float, samples: int, rate: float, elapsed: float,
                     eta: float | None, epochs_total: int | None = None) -> None:
        # Play after a finished run trains on: then "epoch 463 / 300" would read as a broken limit.
        total = f" / {epochs_total}" if epochs_total and max(epoch, epoch_fraction) <= epochs_total else ""
        if epoch_fraction:
            # Fractions matter early in a long epoch (MNIST), not at epoch 600 of a toy set.
            digits = 2 if epoch_fraction < 10 else 1 if epoch_fraction < 100 else 0
            self.epoch.setText(f"epoch {epoch_fraction:.{digits}f}{total}")
        else:
            self.epoch.setText(f"epoch {epoch}{total}")
        self.samples.setText(f"{samples:,} samples")
        self.rate.setText(f"{rate:,.0f} samples/s")
        self.elapsed.setText(f"elapsed {fmt_elapsed(elapsed)}")
        self.eta.setText("" if eta is None else f"η = {eta:g}")
