"""Twin runs: the same run with one setting changed, so a comparison shows that setting alone.

Every twin keeps the base run's seed. Initial weights are drawn from the seed layer by layer
(core.init) and the mini-batch order from the seed and the number of training samples, so twins
that differ in a setting neither depends on (activation, cost, optimiser, eta, batch size, L2,
dropout, momentum, output) start from the same weights and see the samples in the same order;
``init_sha256`` and ``Trainer.order_sha256`` let anyone check. Twins whose layer sizes or
initialisation differ cannot start alike, and ``start_note`` says so.

``run_twins`` trains twins one after the other, headless, on one data object: the CLI's
``compare``. The window trains them at once, kept in step by core.pace.PaceGate.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from .errors import SpecError
from .runspec import RunSpec
from .spec import BIAS_INITS, COSTS, HIDDEN_ACTIVATIONS, OPTIMIZERS, OUTPUT_ACTIVATIONS, WEIGHT_INITS, _choose

MAX_TWINS = 4

# Setting key (RunSpec.to_settings) -> what people call it.
VARIABLE = {
    "activation": "activation",
    "cost": "cost",
    "weight_init": "weight initialisation",
    "optimizer": "optimiser",
    "eta": "learning rate",
    "batch_size": "batch size",
    "l2": "L2 regularisation",
    "dropout": "dropout",
    "hidden": "layer sizes",
    "bias_init": "bias initialisation",
    "bias_value": "initial bias value",
    "momentum": "momentum",
    "output": "output activation",
}
# Other spellings of the keys (the train command's option names among them).
_KEY_ALIASES = {"optimiser": "optimizer", "init": "weight_init", "lr": "eta", "learning_rate": "eta",
                "batch": "batch_size", "hidden_layers": "hidden", "output_activation": "output"}

_NAMES = {"activation": HIDDEN_ACTIVATIONS, "cost": COSTS, "weight_init": WEIGHT_INITS, "optimizer": OPTIMIZERS,
          "bias_init": BIAS_INITS, "output": OUTPUT_ACTIVATIONS}
_KIND = {"activation": "activation", "cost": "cost", "weight_init": "weight initialisation",
         "optimizer": "optimiser", "bias_init": "bias initialisation", "output": "output activation"}

_ACT_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU",
               "softplus": "softplus", "linear": "linear", "softmax": "softmax"}
_NAME_LABELS = {
    "cost": {"quadratic": "quadratic cost", "cross_entropy": "cross-entropy", "log_likelihood": "log-likelihood"},
    "weight_init": {"default": "N(0,1/n) init", "large": "N(0,1) init", "xavier_normal": "Xavier init",
                    "xavier_uniform": "Xavier uniform init", "he": "He init"},
    "optimizer": {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "adam": "Adam"},
    "bias_init": {"normal": "N(0,1) biases", "zeros": "zero biases", "constant": "constant biases"},
}
# Settings that change nothing in some runs: twins that vary them there would train alike.
_NEEDS = {
    "bias_value": (lambda r: r.network.bias_init == "constant",
                   "the initial bias value only matters with bias initialisation constant"),
    "momentum": (lambda r: r.train.optimizer in ("momentum", "nesterov"),
                 "momentum only matters with the momentum or nesterov optimiser"),
    "activation": (lambda r: len(r.network.sizes) > 2, "the activation only matters with hidden layers"),
    "dropout": (lambda r: len(r.network.sizes) > 2, "dropout only acts on hidden layers"),
}


@dataclass(frozen=True)
class Twin:
    label: str
    spec: RunSpec
    overrides: dict


# ---------------------------------------------------------------------------- values
def variable_key(name: str) -> str:
    """``name`` as a VARIABLE key ("learning-rate" -> "eta"), or a SpecError listing the keys."""
    key = str(name).strip().lower().replace("-", "_")
    key = _KEY_ALIASES.get(key, key)
    if key not in VARIABLE:
        import difflib
        close = difflib.get_close_matches(key, VARIABLE, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SpecError(f"Cannot vary {name!r}{hint}: choose one of {', '.join(VARIABLE)}.")
    return key


def parse_value(key: str, value):
    """One twin's value of ``key`` from text ("relu", "0.25", "30-30") or from a ready value."""
    what = VARIABLE[key]
    if key in _NAMES:
        if not isinstance(value, str):
            raise SpecError(f"The {what} {value!r} must be a name such as {_NAMES[key][0]}.")
        return _choose(_KIND[key], value, _NAMES[key])
    if key == "hidden":
        return _hidden(value)
    if key == "batch_size":
        n = _number(what, value)
        if n != int(n) or n < 1:
            raise SpecError(f"The batch size {value!r} must be a whole number of at least 1.")
        return int(n)
    v = _number(what, value)
    if key in ("eta",) and not v > 0:
        raise SpecError(f"The learning rate {value!r} must be positive (try 0.01 to 3).")
    if key in ("l2",) and v < 0:
        raise SpecError(f"L2 regularisation {value!r} must be zero or positive.")
    if key in ("dropout", "momentum") and not 0 <= v < 1:
        raise SpecError(f"The {what} {value!r} must be at least 0 and below 1.")
    return v


def _number(what: str, value) -> float:
    if isinstance(value, bool):
        raise SpecError(f"The {what} {value!r} must be a number.")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"The {what} {value!r} is not a number.") from None
    if not math.isfinite(v):
        raise SpecError(f"The {what} {value!r} must be a finite number.")
    return v


def _hidden(value) -> tuple[int, ...]:
    """"30-30" (or [30, 30]) -> (30, 30); "none" or "" -> no hidden layer."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("none", "0"):
            return ()
        parts = [p.strip() for p in text.split("-")]
        if "" in parts:
            raise SpecError(f"Hidden layer sizes {value!r} have an empty entry: write them like 30 or 30-30.")
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        raise SpecError(f"Hidden layer sizes {value!r} must be written like 30 or 30-30.")
    sizes = []
    for p in parts:
        try:
            n = float(p)
        except (TypeError, ValueError):
            raise SpecError(f"Hidden layer size {p!r} in {value!r} is not a number: write sizes like 30-30.") \
                from None
        if isinstance(p, bool) or not math.isfinite(n) or n != int(n) or n < 1:
            raise SpecError(f"Hidden layer size {p!r} in {value!r} must be a whole number of at least 1.")
        sizes.append(int(n))
    return tuple(sizes)


def parse_vary(text: str) -> tuple[str, list]:
    """"activation=sigmoid,relu" -> ("activation", ["sigmoid", "relu"]): twins separated by ",",
    the layers of one twin by "-" ("hidden=30,30-30"). Two to four different values."""
    if not isinstance(text, str) or "=" not in text:
        raise SpecError(f"--vary {text!r} must look like KEY=V1,V2 (for example activation=sigmoid,relu); "
                        f"KEY is one of {', '.join(VARIABLE)}.")
    name, _, rest = text.partition("=")
    key = variable_key(name)
    raw = [v.strip() for v in rest.split(",")]
    if any(v == "" for v in raw):
        raise SpecError(f"--vary {text!r} has an empty value: write the values like {key}=V1,V2"
                        f"{' (none for no hidden layer)' if key == 'hidden' else ''}.")
    if len(raw) < 2:
        raise SpecError(f"--vary {text!r} gives one value: a comparison needs 2 to {MAX_TWINS} values of the "
                        f"{VARIABLE[key]}, separated by commas.")
    if len(raw) > MAX_TWINS:
        raise SpecError(f"--vary {text!r} gives {len(raw)} values: at most {MAX_TWINS} twins train at once.")
    return key, _distinct_values(key, raw)


def _distinct_values(key: str, raw) -> list:
    values = [parse_value(key, v) for v in raw]
    for i, value in enumerate(values):
        if value in values[:i]:
            raise SpecError(f"{value_label(key, value)} is given twice: every twin needs a different "
                            f"{VARIABLE[key]}.")
    return values


# ---------------------------------------------------------------------------- labels
def value_label(key: str, value) -> str:
    """What a legend says for one value: "ReLU", "η 0.025", "batch 10", "30-30 hidden"."""
    if key == "activation":
        return _ACT_LABELS.get(value, str(value))
    if key == "output":
        return f"{_ACT_LABELS.get(value, value)} output"
    if key in _NAME_LABELS:
        return _NAME_LABELS[key].get(value, str(value))
    if key == "hidden":
        sizes = tuple(value)
        return f"{'-'.join(map(str, sizes))} hidden" if sizes else "no hidden layer"
    if key == "batch_size":
        return f"batch {int(value)}"
    prefix = {"eta": "η", "l2": "L2", "dropout": "dropout", "bias_value": "bias", "momentum": "μ"}.get(key, key)
    if key in ("l2", "dropout") and value == 0:
        return f"no {prefix}"
    return f"{prefix} {value:g}"


# ---------------------------------------------------------------------------- twins
def _twin_spec(base: RunSpec, overrides: dict) -> RunSpec:
    settings = base.to_settings()
    for key, value in overrides.items():
        settings[key] = list(value) if key == "hidden" else value
        if key == "hidden":
            settings["sizes"] = None              # else the base's sizes win over the new hidden layers
        if key == "activation":
            settings["hidden_activations"] = None  # else a per-layer list wins over the new activation
    try:
        return RunSpec.from_settings(settings)
    except TypeError as exc:
        raise SpecError(f"A value has the wrong kind: {exc}") from None


def _checked_overrides(overrides) -> dict:
    if not isinstance(overrides, dict):
        raise SpecError(f"A twin's settings {overrides!r} must be a dict of setting -> value.")
    out = {}
    for name, value in overrides.items():
        try:
            key = variable_key(name)
        except SpecError:
            if name not in _other_settings():
                raise SpecError(f"Unknown setting {name!r} for a twin: use one of {', '.join(VARIABLE)} "
                                f"or another run setting such as epochs or l1.") from None
            out[name] = value                  # a setting twins rarely vary (epochs, l1, schedule...)
            continue
        out[key] = parse_value(key, value)
    return out


def _other_settings() -> set:
    return set(RunSpec.default().to_settings()) - {"sizes", "hidden_activations"}


def twins(base: RunSpec, key: str, values) -> list[Twin]:
    """One twin per value of ``key``, all with the base run's seed, labelled by what differs."""
    key = variable_key(key)
    values = list(values)
    if not 2 <= len(values) <= MAX_TWINS:
        raise SpecError(f"A comparison needs 2 to {MAX_TWINS} values of {VARIABLE[key]}, not {len(values)}.")
    values = _distinct_values(key, values)
    if key in _NEEDS and not _NEEDS[key][0](base):
        raise SpecError(f"Varying the {VARIABLE[key]} would give identical twins here: {_NEEDS[key][1]}.")
    out = []
    for value in values:
        label = value_label(key, value)
        try:
            spec = _twin_spec(base, {key: value})
        except SpecError as exc:
            raise SpecError(f"The twin with {label} is not a valid run: {exc}") from None
        out.append(Twin(label, spec, {key: value}))
    return out


def twins_from_overrides(base: RunSpec, overrides: list[dict], labels: list[str] | None = None) -> list[Twin]:
    """Twins that differ in several settings at once (a lesson's "sigmoid + N(0,1)" vs "ReLU + He").
    Without labels each is named by its overrides; an empty override is the base run itself."""
    overrides = list(overrides)
    if not 1 <= len(overrides) <= MAX_TWINS:
        raise SpecError(f"A comparison has 1 to {MAX_TWINS} twins, not {len(overrides)}.")
    if labels is not None and len(labels) != len(overrides):
        raise SpecError(f"{len(labels)} labels for {len(overrides)} twins: give one label per twin.")
    out = []
    for i, given in enumerate(overrides):
        checked = _checked_overrides(given)
        label = labels[i] if labels is not None else (
            ", ".join(value_label(k, v) if k in VARIABLE else f"{k} {v}" for k, v in checked.items()) or "as set")
        try:
            spec = _twin_spec(base, checked)
        except SpecError as exc:
            raise SpecError(f"The twin {label!r} is not a valid run: {exc}") from None
        out.append(Twin(str(label), spec, checked))
    seen: dict[str, int] = {}
    for i, twin in enumerate(out):         # a legend needs a different name per twin
        n = seen[twin.label] = seen.get(twin.label, 0) + 1
        if n > 1:
            out[i] = Twin(f"{twin.label} ({n})", twin.spec, twin.overrides)
    return out


# ---------------------------------------------------------------------------- same start?
def init_sha256(network) -> str:
    """sha256 of a network's parameters (its flat buffer, little-endian in its dtype)."""
    params = np.ascontiguousarray(network.params)
    return hashlib.sha256(params.astype(params.dtype.newbyteorder("<"), copy=False).tobytes()).hexdigest()


def _init_key(spec: RunSpec):
    n = spec.network
    bias_value = n.bias_value if n.bias_init == "constant" else None
    return n.sizes, n.weight_init, n.bias_init, bias_value, n.dtype, spec.seed


def _order_key(spec: RunSpec):
    return spec.data, spec.data_seed, spec.seed


def start_note(twins: list[Twin]) -> str:
    """"" when every twin starts from the same initial weights and mini-batch order, else one
    sentence saying which differ and why."""
    twins = list(twins)
    if len(twins) < 2:
        return ""
    specs = [t.spec for t in twins]
    same_init = len({_init_key(s) for s in specs}) == 1
    same_order = len({_order_key(s) for s in specs}) == 1
    if same_init and same_order:
        return ""
    parts = []
    if not same_init:
        parts.append(f"different initial weights ({_init_reason(specs)})")
    if not same_order:
        reason = "different data" if len({(s.data, s.data_seed) for s in specs}) > 1 else "different seeds"
        parts.append(f"a different mini-batch order ({reason})")
    labels = ", ".join(t.label for t in twins)
    return f"These twins ({labels}) start from {' and '.join(parts)}, so not only the chosen setting differs."


def _init_reason(specs) -> str:
    nets = [s.network for s in specs]
    reasons = []
    if len({n.sizes for n in nets}) > 1:
        reasons.append("their layer sizes differ, so each draws its own weights")
    if len({n.weight_init for n in nets}) > 1:
        reasons.append("their weight initialisations differ")
    if len({(n.bias_init, n.bias_value if n.bias_init == "constant" else None) for n in nets}) > 1:
        reasons.append("their bias initialisations differ")
    if len({n.dtype for n in nets}) > 1:
        reasons.append("their number types differ")
    if len({s.seed for s in specs}) > 1:
        reasons.append("their seeds differ")
    return "; ".join(reasons)


# ---------------------------------------------------------------------------- headless
# No window to keep responsive: long kernel calls between checks, no histogram probes.
HEADLESS = {"chunk_seconds": 0.2, "probe_every": None}


def run_twins(twins: list[Twin], *, epochs: int | None = None, dataset=None, on_epoch=None,
              on_snapshot=None) -> list[dict]:
    """Train each twin in turn (one after the other, so their seconds compare fairly) on the same
    data object and report what the CLI's ``compare --json`` prints, one dict per twin.

    ``epochs`` replaces the twins' own; ``dataset`` is used for every twin (else each distinct
    data description is loaded once); ``on_epoch(twin, record)`` and ``on_snapshot(twin,
    snapshot)`` follow progress."""
    twins = list(twins)
    specs = [t.spec if epochs is None else t.spec.with_epochs(epochs) for t in twins]
    for twin, spec in zip(twins, specs):
        spec.validate()
        if spec.until_stopped:
            raise SpecError(f"The twin {twin.label!r} trains until stopped: give a number of epochs.")
    loaded: dict = {}
    warm: set = set()
    out = []
    for twin, spec in zip(twins, specs):
        data = dataset
        if data is None:
            key = (spec.data, spec.data_seed)
            data = loaded[key] = loaded[key] if key in loaded else spec.load_dataset()
        spec.network.check_memory(spec.train.batch_size, len(data.y_train))
        if spec.network.dtype not in warm:
            _load_kernels(spec, data)
            warm.add(spec.network.dtype)
        trainer = spec.trainer(data, **HEADLESS)
        start = init_sha256(trainer.network)
        state = trainer.run(on_epoch=None if on_epoch is None else (lambda rec, t=twin: on_epoch(t, rec)),
                            on_snapshot=None if on_snapshot is None else (lambda s, t=twin: on_snapshot(t, s)))
        history = list(trainer.history)
        out.append({
            "label": twin.label,
            "config": spec.to_dict(),
            "history": [{k: _finite(v) if isinstance(v, float) else v for k, v in r.to_dict().items()}
                        for r in history],
            "test_accuracy": _finite(history[-1].test_accuracy) if history else None,
            "grad_norms": [_finite(v) for v in trainer.mean_grad_w_norm],
            "init_sha256": start,
            "order_sha256": trainer.order_sha256,
            "seconds": trainer.elapsed,
            "samples_seen": trainer.samples_seen,
            "state": state,
            "message": trainer.message,
        })
    return out


def _load_kernels(spec: RunSpec, data) -> None:
    """Call the kernels of the run's number type once on a one-unit network: their first call
    loads them from numba's cache (or compiles them), which must not count in the first twin's
    seconds."""
    from dataclasses import replace

    from .network import Network
    from .trainer import Trainer

    n = spec.network
    tiny = replace(n, sizes=(n.sizes[0], 1, n.sizes[-1]), hidden_activations=("sigmoid",))
    trainer = Trainer(Network(tiny, seed=spec.seed), data, spec.train, **HEADLESS)
    trainer.step_batches(1)
    trainer.network.forward(data.x_train[:1])


def _finite(v):
    """A float JSON can hold: None for NaN / infinity (and for None)."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None
