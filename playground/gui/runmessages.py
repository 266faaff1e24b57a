"""What the banner says about the run on show: divergence (with a lower learning rate to try),
an unexpected error, and the answer to "Lower learning rate"."""
from __future__ import annotations

LOWER_ETA = "lower_eta"
RESET = "reset"


def show_divergence(w, message: str) -> None:
    eta = w.controls.eta.value()
    if message.startswith("Training diverged"):
        message = "<b>Training diverged</b>" + message[len("Training diverged"):]
    else:
        message = f"<b>Training diverged.</b> {message}"
    w.banner.show_message("error", message, [(LOWER_ETA, f"Lower learning rate ÷10 (η = {eta / 10:g})"),
                                             (RESET, "Reset")])


def show_error(w, text: str) -> None:
    first = text.splitlines()[0] if text else "unknown error"
    w.banner.show_message("error", f"<b>Training stopped with an error:</b> {first}", [(RESET, "Reset")])


def lower_eta(w) -> None:
    """η ÷ 10 (a live change: the trainer takes it through the controls' signal)."""
    c = w.controls
    c.eta.setValue(max(c.eta.value() / 10, c.eta.minimum() or 1e-6))
    w.banner.show_message("info", f"Learning rate lowered to η = {c.eta.value():g}. Press Play to "
                          "continue from the last good weights.", [])
