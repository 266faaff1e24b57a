"""Diagnosis: what the plots of a run show, named in one sentence, with the lesson that demonstrates it.

Everything is read from what the trainer already publishes (the latest Snapshot, the epoch
history, the probe histograms); nothing here runs the network. ``diagnose`` is a pure function of
one moment; ``Watch`` feeds it moment after moment and shows a finding only once it has held for a
few consecutive pieces of new evidence, so a banner does not flicker on one noisy chunk.

Findings and their thresholds (the README has the same table):

=====================  =========================================================  ==============
finding (lesson)       shows when                                                 goes below
=====================  =========================================================  ==============
vanishing gradients    with 2+ hidden layers, a later hidden layer's weight-      VANISHING_
(vanishing-gradients)  gradient norm is >= VANISHING_RATIO (10x) hidden 1's       RATIO_OFF (5x)
dead ReLUs             >= DEAD_SHARE (50 %) of a ReLU layer's units output 0      DEAD_SHARE_OFF
(dead-relus)           for every probe sample                                     (40 %)
saturated units        >= SATURATED_SHARE (50 %) of a sigmoid / tanh layer's      SATURATED_
(weight-init)          outputs sit where the derivative is < 2 % of its peak      SHARE_OFF (40 %)
overfitting            training accuracy >= OVERFIT_GAP (10 points) above test    OVERFIT_GAP_OFF
(overfitting-l2)       (validation if no test set) for OVERFIT_EPOCHS (3) epochs  (7 points)
divergence             the trainer stopped on a NaN / infinite loss or exploding  (at once)
(learning-rates)       weights
=====================  =========================================================  ==============

The gradient ratio is that of the Frobenius norms the gradient plot draws (the first layer has
the most weights, so the ratio understates the per-weight gap). Hidden layers only: the output
layer's gradient is large on any net. Dead, saturated and vanishing findings are not given while
the network already fits its training data (training accuracy >= FITTED_ACCURACY, 95 %, in one
of the last FITTED_EPOCHS, 3, epochs): a fitted net uses saturated units as confident switches
and loses nothing to units it does not need; on the toy problems every healthy run ends that way
(measured: up to 90 % saturated tanh outputs, 58 % dead units of a 12-unit ReLU layer, at
96-100 % training accuracy).

Persistence (``Watch``): a finding shows after PERSIST (2) consecutive evaluations with new
evidence (a new snapshot for gradients, a new probe for histograms) and goes after CLEAR (3)
evaluations without it; at the window's one evaluation a second that is 1 s to show (the
vanishing phase of a deep sigmoid net on MNIST lasts about 2 s) and 2 s of calm to go; a finding already on show is judged by its lower "goes below" threshold. Overfitting
needs OVERFIT_EPOCHS epochs in the history itself, divergence is immediate.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

VANISHING_RATIO = 10.0
VANISHING_RATIO_OFF = 5.0
DEAD_SHARE = 0.5
DEAD_SHARE_OFF = 0.4
SATURATED_SHARE = 0.5
SATURATED_SHARE_OFF = 0.4
FITTED_ACCURACY = 0.95
FITTED_EPOCHS = 3
OVERFIT_GAP = 0.10
OVERFIT_GAP_OFF = 0.07
OVERFIT_EPOCHS = 3
_RECENT = max(FITTED_EPOCHS, OVERFIT_EPOCHS)      # the epochs the rules look at
PERSIST = 2
CLEAR = 3

VANISHING, DEAD, SATURATED, OVERFITTING, DIVERGED = (
    "vanishing-gradients", "dead-relus", "saturated", "overfitting", "diverged")
LESSONS = {VANISHING: "vanishing-gradients", DEAD: "dead-relus", SATURATED: "weight-init",
           OVERFITTING: "overfitting-l2", DIVERGED: "learning-rates"}
# What each finding is judged on, so Watch counts only evaluations that saw something new.
_EVIDENCE = {VANISHING: "snapshot", DEAD: "histograms", SATURATED: "histograms", OVERFITTING: "history",
             DIVERGED: "snapshot"}
_IMMEDIATE = (OVERFITTING, DIVERGED)
ORDER = (DIVERGED, VANISHING, DEAD, SATURATED, OVERFITTING)     # the most urgent first
_ACT_NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh"}


@dataclass(frozen=True)
class Finding:
    key: str
    text: str
    lesson: str                   # a core.lessons name
    value: float = math.nan       # the number the text rounds (ratio, share, accuracy gap)
    layer: int | None = None      # the weight layer (0: into hidden 1) the finding is about

    def __repr__(self):
        return f"Finding({self.key}: {self.text})"


def diagnose(spec, snapshot, history, histograms, *, shown=()) -> list[Finding]:
    """What goes wrong in this run now, most urgent first (ORDER). ``spec``: a RunSpec or NetworkSpec;
    ``snapshot``: the trainer's latest (or None); ``history``: its EpochRecords; ``histograms``:
    the latest probe's LayerHistograms (or None). ``shown``: keys on show, judged by their lower
    threshold (hysteresis)."""
    net = getattr(spec, "network", spec)
    history = list(history[-_RECENT:]) if history else []     # rows: a long run's whole list costs
    shown = set(shown)
    found = []
    if snapshot is not None and snapshot.state == "diverged":
        found.append(_diverged(snapshot))
    # One noisy epoch (94.7 % on the healthy spirals run at epoch 225) does not unfit a network.
    fitted = max((r.training_accuracy or 0.0 for r in history[-FITTED_EPOCHS:]), default=0.0) >= FITTED_ACCURACY
    if not fitted and net is not None:
        acts = list(net.hidden_activations)
        for rule in (_vanishing, _dead, _saturated):
            f = rule(acts, snapshot, histograms, shown)
            if f is not None:
                found.append(f)
    f = _overfitting(history, shown)
    if f is not None:
        found.append(f)
    return found


# ---------------------------------------------------------------------------- the rules
def _diverged(snapshot) -> Finding:
    m = re.search(r"\(([^()]*)\)", snapshot.message or "")
    reason = m.group(1) if m else ""
    what = ("loss is NaN" if "NaN" in reason else "loss is infinite" if "infinite" in reason
            else reason or "training diverged")
    return Finding(DIVERGED, f"{what}: learning rate too high (η = {snapshot.eta:g})", LESSONS[DIVERGED],
                   value=snapshot.eta)


def _vanishing(acts, snapshot, histograms, shown):
    n_hidden = len(acts)
    if snapshot is None or snapshot.step <= 0 or n_hidden < 2 or snapshot.state == "diverged":
        return None
    g = [float(v) for v in snapshot.grad_w_norm[:n_hidden]]
    first = g[0]
    later = max(range(1, n_hidden), key=lambda i: g[i])
    # No gradient at all into hidden 1 is a dead layer (the dead-unit rule), not a small one.
    if not all(math.isfinite(v) for v in g) or first <= 0.0:
        return None
    ratio = g[later] / first
    if ratio < (VANISHING_RATIO_OFF if VANISHING in shown else VANISHING_RATIO):
        return None
    return Finding(VANISHING, f"hidden 1's gradients are {_times(ratio)} smaller than hidden {later + 1}'s: "
                   "vanishing gradients", LESSONS[VANISHING], value=ratio, layer=0)


def _dead(acts, snapshot, histograms, shown):
    worst = _worst_hidden(histograms, len(acts), lambda h: h.dead_fraction)
    if worst is None or worst[1] < (DEAD_SHARE_OFF if DEAD in shown else DEAD_SHARE):
        return None
    layer, share = worst
    return Finding(DEAD, f"{share * 100:.0f} % of the ReLUs in hidden {layer + 1} output 0 for every probe "
                   "sample: dead units", LESSONS[DEAD], value=share, layer=layer)


def _saturated(acts, snapshot, histograms, shown):
    worst = _worst_hidden(histograms, len(acts), lambda h: h.saturated_fraction)
    if worst is None or worst[1] < (SATURATED_SHARE_OFF if SATURATED in shown else SATURATED_SHARE):
        return None
    layer, share = worst
    act = _ACT_NAMES.get(acts[layer], acts[layer])
    return Finding(SATURATED, f"most {act} units in hidden {layer + 1} are saturated ({share * 100:.0f} % of "
                   f"outputs where {act}' < 2 % of its peak)", LESSONS[SATURATED], value=share, layer=layer)


def _overfitting(history, shown):
    limit = OVERFIT_GAP_OFF if OVERFITTING in shown else OVERFIT_GAP
    recent = history[-(1 if OVERFITTING in shown else OVERFIT_EPOCHS):]
    if len(recent) < (1 if OVERFITTING in shown else OVERFIT_EPOCHS):
        return None
    gaps = [_gap(r) for r in recent]
    if any(g is None or g[0] < limit for g in gaps):
        return None
    gap, held_out, train, other = gaps[-1]
    return Finding(OVERFITTING, f"training accuracy {_pct(train)} %, {held_out} {_pct(other)} %: overfitting",
                   LESSONS[OVERFITTING], value=gap)


def _gap(record):
    """(train - held-out accuracy, which held-out split, train, held-out), or None. The test set
    first: a validation split is often small (75 points on a toy), and its noise alone opened a
    10-point gap for several epochs on the healthy spirals run."""
    held_out, other = "test", record.test_accuracy
    if other is None:
        held_out, other = "validation", record.validation_accuracy
    train = record.training_accuracy
    if train is None or other is None or not (math.isfinite(train) and math.isfinite(other)):
        return None
    return train - other, held_out, train, other


def _worst_hidden(histograms, n_hidden, share):
    """(layer, share) of the hidden layer where ``share`` is largest; None without histograms."""
    if not histograms or n_hidden == 0:
        return None
    hidden = [(h.layer, float(share(h))) for h in histograms if h.layer < n_hidden]
    return max(hidden, key=lambda p: p[1]) if hidden else None


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def _pct(x: float) -> str:
    """An accuracy in percent, one decimal unless whole (a 99.96 % is not rounded up to 100)."""
    p = math.floor(x * 1000 + 0.5) / 10 if x < 1 else 100.0
    if p >= 100 and x < 1:
        p = 99.9
    return f"{p:.0f}" if p == int(p) else f"{p:.1f}"


# ---------------------------------------------------------------------------- persistence
class Watch:
    """Findings of one run that held for a while: call ``update`` with each evaluation (the GUI
    does at most once a second); the list it returns is what to show."""

    def __init__(self, persist: int = PERSIST, clear: int = CLEAR):
        self.persist, self.clear = persist, clear
        self.shown: dict[str, Finding] = {}
        self._streak: dict[str, int] = {}       # + consecutive evaluations found, - not found
        self._seen = {"snapshot": None, "histograms": None, "history": None}

    def update(self, spec, snapshot, history, histograms) -> list[Finding]:
        history = history if history is not None else []
        fresh = {"snapshot": snapshot is not None and snapshot is not self._seen["snapshot"],
                 "histograms": histograms is not None and histograms is not self._seen["histograms"],
                 "history": len(history) != self._seen["history"]}
        self._seen = {"snapshot": snapshot, "histograms": histograms, "history": len(history)}
        found = {f.key: f for f in diagnose(spec, snapshot, history, histograms, shown=self.shown)}
        for key in set(found) | set(self.shown) | set(self._streak):
            immediate = key in _IMMEDIATE
            if not (fresh[_EVIDENCE[key]] or immediate):
                if key in found and key in self.shown:
                    self.shown[key] = found[key]     # same evidence: keep the numbers it had
                continue
            streak = self._streak.get(key, 0)
            if key in found:
                streak = max(streak, 0) + 1
                if immediate or streak >= self.persist or key in self.shown:
                    self.shown[key] = found[key]
            else:
                streak = min(streak, 0) - 1
                if key in self.shown and (immediate or -streak >= self.clear):
                    del self.shown[key]
            self._streak[key] = streak
        return sorted(self.shown.values(), key=lambda f: ORDER.index(f.key))
