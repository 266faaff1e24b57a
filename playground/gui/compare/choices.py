"""What the Compare dialog offers for each setting: the options a person picks from (with the
names the controls use) and values worth comparing first, chosen from the current run.

A suggestion is a lesson in itself: sigmoid against ReLU, quadratic against cross-entropy cost,
SGD against momentum against Adam, the learning rate a tenth and ten times the current one.
"""
from __future__ import annotations

from ..labels import (ACTIVATION_LABELS, BIAS_INIT_LABELS, COST_LABELS, OPTIMIZER_LABELS, OUTPUT_LABELS,
                      WEIGHT_INIT_LABELS)

# Settings with a fixed list of options: key -> {option: what the controls call it}.
OPTIONS = {"activation": ACTIVATION_LABELS, "cost": COST_LABELS, "weight_init": WEIGHT_INIT_LABELS,
           "optimizer": OPTIMIZER_LABELS, "bias_init": BIAS_INIT_LABELS, "output": OUTPUT_LABELS}
# The order the dialog lists them in: the classic comparisons first.
ORDER = ("activation", "cost", "weight_init", "optimizer", "eta", "batch_size", "l2", "dropout", "hidden",
         "momentum", "bias_init", "bias_value", "output")


def number_text(v) -> str:
    """A number as a person types it (0.25, not 0.25000000000000006)."""
    return f"{float(v):.6g}" if isinstance(v, float) else str(v)


def value_text(key: str, v) -> str:
    """A setting's value as the dialog's field holds it (the token parse_vary reads)."""
    if key == "hidden":
        return "-".join(str(int(n)) for n in v)
    return number_text(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def suggestions(key: str, settings: dict) -> list[str]:
    """Two to four values of ``key`` worth comparing, as field texts, for a run with these flat
    settings (RunSpec.to_settings)."""
    cur = settings.get(key)
    if key == "activation":
        return ["sigmoid", "relu"]
    if key == "cost":
        # Cross-entropy needs outputs in 0..1 and log-likelihood a softmax: the run's own partner.
        return ["quadratic", "log_likelihood" if settings.get("cost") == "log_likelihood" else "cross_entropy"]
    if key == "weight_init":
        return ["large", "default"]
    if key == "optimizer":
        return ["sgd", "momentum", "adam"]
    if key == "eta":
        eta = float(cur or 0.1)
        return [number_text(float(f"{eta * f:.3g}")) for f in (0.1, 1.0, 10.0)]
    if key == "batch_size":
        b = int(cur or 10)
        return [str(b), str(b * 10)] if b > 1 else ["1", "10"]
    if key == "l2":
        return ["0", "5"] if not cur else ["0", number_text(float(cur))]
    if key == "dropout":
        return ["0", "0.5"] if not cur else ["0", number_text(float(cur))]
    if key == "hidden":
        h = [int(n) for n in cur or [30]]
        return [value_text(key, h), value_text(key, h + [h[-1]])]
    if key == "momentum":
        return ["0.5", "0.9"]
    if key == "bias_init":
        return ["zeros", "normal"]
    if key == "bias_value":
        return ["0", "0.1"]
    if key == "output":
        return ["sigmoid", "softmax"]
    return [value_text(key, cur)] * 2


def option_label(key: str, value: str) -> str:
    return OPTIONS.get(key, {}).get(value, value)
