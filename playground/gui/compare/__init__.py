"""Twin runs: copies of a run that differ in one setting, trained side by side at the same pace.

``open_comparison(controller, twins)`` is what Compare… and lessons call; ``install(controller)``
wires the Compare action and the Compare page to the window once.
"""
from __future__ import annotations

from playground.core.errors import PlaygroundError, SpecError
from playground.core.runspec import RunSpec

from .._qt import QtWidgets
from .comparison import Comparison, build
from .dialog import CompareDialog
from .page import ComparePage

__all__ = ["Comparison", "CompareDialog", "ComparePage", "ask_and_open", "install", "open_comparison"]


def open_comparison(controller, twins, start: bool = True) -> Comparison:
    """One RunSession per twin (beside the existing runs), joined to one PaceGate, shown on the
    Compare page and, with ``start``, all started. A comparison already on show closes first (a
    twin made the main run stays). The main run pauses so the twins have the machine to
    themselves. Raises SpecError / PlaygroundError (nothing built) if a twin cannot be made."""
    w = controller.w
    page = w.compare
    if page.comparison is not None:
        page.close_comparison()
    comparison = build(controller, twins)
    w.status.set_state(controller.phase)        # not "loading data…" from the twins' dataset
    if start and controller.active.playing:
        controller.active.play_pause()
    page.show_comparison(comparison)
    w.pages.setCurrentWidget(page)
    if start:
        comparison.start()
    return comparison


def ask_and_open(controller) -> Comparison | None:
    """Compare…: the dialog, then the twins it describes (None if cancelled or they failed)."""
    w = controller.w
    try:
        base = RunSpec.from_settings(controller.applied)
    except (SpecError, TypeError, KeyError) as e:
        QtWidgets.QMessageBox.warning(w, "Cannot compare this run", f"The current settings are not a run yet: {e}")
        return None
    dlg = CompareDialog(base, w)
    if dlg.exec() != QtWidgets.QDialog.Accepted or not dlg.twins:
        return None
    page = w.compare
    if page.comparison is not None and page.comparison.any_playing and not controller.ask(
            "Replace the comparison?", "The twin runs on the Compare page stop and are removed.\n\nContinue?"):
        return None
    try:
        return open_comparison(controller, dlg.twins)
    except PlaygroundError as e:
        QtWidgets.QMessageBox.warning(w, "Could not start the twins", str(e))
        return None


def install(controller) -> None:
    """The Compare action opens the dialog; the frame timer feeds the Compare page."""
    w = controller.w
    w.act_compare.triggered.connect(lambda: ask_and_open(controller))
    w.compare.compare_button.clicked.connect(w.act_compare.trigger)
    controller.frames.timer.timeout.connect(w.compare.tick)
