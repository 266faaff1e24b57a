"""A dataset switch brings the new dataset's starting settings (playground.core.presets), says in
the banner which settings it adjusted, and offers to undo that. Settings the person changed
themselves are left alone (core.presets.switch decides which)."""
from __future__ import annotations

from dataclasses import dataclass

from playground.core import presets

from ._qt import QtCore
from .labels import (ACTIVATION_LABELS, COST_LABELS, DATASET_LABELS, OPTIMIZER_LABELS, OUTPUT_LABELS,
                     WEIGHT_INIT_LABELS, BIAS_INIT_LABELS)

UNDO = "undo_dataset_defaults"
_NAMES = {"hidden": "hidden layers", "activation": "activation", "output": "output", "cost": "cost",
          "weight_init": "weights", "bias_init": "biases", "optimizer": "optimiser", "eta": "η",
          "batch_size": "batch", "epochs": "epochs"}
_VALUES = {"activation": ACTIVATION_LABELS, "output": OUTPUT_LABELS, "cost": COST_LABELS,
           "weight_init": WEIGHT_INIT_LABELS, "bias_init": BIAS_INIT_LABELS, "optimizer": OPTIMIZER_LABELS}


@dataclass
class Adjustment:
    dataset: str
    before: dict          # the changed settings as they were
    after: dict           # ... and as the new dataset's preset has them


def adapt(state: dict, old_dataset: str) -> tuple[dict, Adjustment | None]:
    """``state`` (the controls, already showing the new dataset) with the new dataset's starting
    settings where the person had not changed the old one's."""
    new = state["dataset"]
    mine = dict(state)
    if state.get("per_layer"):
        # Activations chosen layer by layer are the person's design: keep that network.
        mine.pop("activation", None)
        mine.pop("hidden", None)
    out, keys = presets.switch(mine, old_dataset, new)
    if not keys:
        return state, None
    result = dict(state, **{k: out[k] for k in keys})
    if "activation" in keys:
        result["hidden_activations"] = [out["activation"]] * len(result["hidden"])
    return result, Adjustment(new, {k: state[k] for k in keys}, {k: out[k] for k in keys})


def _show(key, value) -> str:
    if key == "hidden":
        return "–".join(map(str, value)) or "none"
    if key in _VALUES:
        return _VALUES[key].get(value, str(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(adj: Adjustment) -> str:
    items = ", ".join(f"{_NAMES[k]} {_show(k, adj.before[k])} → <b>{_show(k, adj.after[k])}</b>" for k in adj.before)
    return f"Settings adjusted for {DATASET_LABELS.get(adj.dataset, adj.dataset)}: {items}."


class DatasetDefaults(QtCore.QObject):
    """Shows the adjustment once the network for the new dataset is built; Undo restores it."""

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.shown: Adjustment | None = None
        window.banner.sigAction.connect(self._on_action)

    def announce(self, applied: dict) -> None:
        """After a rebuild: show the pending adjustment if the built network has it (a cancelled
        reset or a failed data load restored the old settings, and then there is nothing to say)."""
        adj, self.w.controls.adjustment = self.w.controls.adjustment, None
        if adj is None or any(applied.get(k) != v for k, v in adj.after.items()):
            return
        # Named after the dataset built, which the missing-data dialog may have switched.
        adj.dataset = applied.get("dataset", adj.dataset)
        self.shown = adj
        self.w.banner.show_message("info", describe(adj), [(UNDO, "Undo")])

    def _on_action(self, key: str) -> None:
        if key != UNDO or self.shown is None:
            return
        adj, self.shown = self.shown, None
        self.w.banner.hide()
        self.w.controls.change(adj.before)
