"""What a network is (NetworkSpec) and how it is trained (TrainConfig), validated up front.

Every refusal explains why the choice makes no sense and what to pick instead, because the
same messages are shown inline in the GUI next to the control that caused them.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Iterable

from .errors import SpecError

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
COSTS = ("quadratic", "cross_entropy", "log_likelihood")
WEIGHT_INITS = ("default", "large", "small", "xavier_normal", "xavier_uniform", "he", "zeros")
BIAS_INITS = ("normal", "zeros", "constant")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
SCHEDULES = ("constant", "plateau")
DTYPES = ("float32", "float64")

# Spellings people type on the command line or find in Nielsen's files.
_ALIASES = {
    "cross-entropy": "cross_entropy",
    "crossentropy": "cross_entropy",
    "crossentropycost": "cross_entropy",
    "log-likelihood": "log_likelihood",
    "loglikelihood": "log_likelihood",
    "nll": "log_likelihood",
    "quadraticcost": "quadratic",
    "mse": "quadratic",
    "leaky-relu": "leaky_relu",
    "leakyrelu": "leaky_relu",
    "xavier": "xavier_normal",
    "glorot": "xavier_normal",
    "xavier-normal": "xavier_normal",
    "xavier-uniform": "xavier_uniform",
    "glorot_uniform": "xavier_uniform",
    "kaiming": "he",
    "zero": "zeros",
    "identity": "linear",
}

# A request above this is refused before anything is allocated: a typo such as 784,30000000,10
# should produce a message, not an out-of-memory kill that loses the user's session.
MAX_BYTES = 2 * 1024**3
MAX_LAYER_WIDTH = 1_000_000
MAX_DEPTH = 64
MAX_BATCH = 65536
MAX_SEED = 2**63        # saved models store the seed as a JSON integer that must fit an int64


_KNOWN_NAMES = frozenset((*HIDDEN_ACTIVATIONS, *OUTPUT_ACTIVATIONS, *COSTS, *WEIGHT_INITS, *BIAS_INITS,
                          *OPTIMIZERS, *SCHEDULES, *DTYPES))


def canonical(name: str) -> str:
    """Normalise a user-typed option name ("Cross-Entropy" -> "cross_entropy"). A name that is not
    one of ours is returned as typed, so a refusal quotes what the person wrote."""
    key = str(name).strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    key = key.replace("-", "_")
    return key if key in _KNOWN_NAMES else str(name).strip()


def _choose(kind: str, value: str, allowed: Iterable[str]) -> str:
    value = canonical(value)
    allowed = tuple(allowed)
    if value not in allowed:
        import difflib
        close = difflib.get_close_matches(str(value).lower().replace("-", "_"), allowed, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SpecError(f"Unknown {kind} {value!r}{hint}: choose one of {', '.join(allowed)}.")
    return value


def _real(what: str, v) -> float:
    """``v`` as a float if it is a plain real number; else a SpecError (never a raw TypeError)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise SpecError(f"{what} {v!r} must be a number.")
    return float(v)


def _whole(what: str, v, minimum: int, optional: bool = False):
    """``v`` as an int of at least ``minimum`` (None allowed if ``optional``), else a SpecError."""
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v != int(v) \
            or v < minimum:
        raise SpecError(f"{what} {v!r} must be a whole number of at least {minimum}.")
    return int(v)


def check_seed(seed) -> int:
    """The seed as an int, or a SpecError: numpy's generators refuse negative seeds."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < MAX_SEED:
        raise SpecError(f"Seed {seed} must be a whole number from 0 to {MAX_SEED - 1}.")
    return int(seed)


def parse_sizes(text: str | Iterable[int]) -> tuple[int, ...]:
    """Parse "784,30,10" (or a sequence) into layer sizes, refusing anything that is not a positive int."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.replace(";", ",").split(",")]
        if any(p == "" for p in parts):
            raise SpecError(f"Layer sizes {text!r} have an empty entry: write them like 784,30,10.")
    else:
        try:
            parts = list(text)
        except TypeError:
            raise SpecError(f"Layer sizes {text!r} must be a list of whole numbers like 784,30,10.") from None
    sizes = []
    for p in parts:
        try:
            as_float = float(p)
        except (TypeError, ValueError):
            raise SpecError(f"Layer size {p!r} is not a number: sizes are whole numbers like 784,30,10.") from None
        if not math.isfinite(as_float) or as_float != int(as_float):
            raise SpecError(f"Layer size {p!r} is not a whole number: a layer has a whole number of neurons.")
        n = int(as_float)
        if n <= 0:
            raise SpecError(f"Layer size {n} is not positive: every layer needs at least one neuron.")
        sizes.append(n)
    return tuple(sizes)


@dataclass(frozen=True)
class NetworkSpec:
    sizes: tuple[int, ...]
    hidden_activations: tuple[str, ...]
    output_activation: str = "sigmoid"
    cost: str = "cross_entropy"
    weight_init: str = "default"
    bias_init: str = "normal"
    bias_value: float = 0.1
    dtype: str = "float32"

    @classmethod
    def make(cls, sizes, activation="sigmoid", **kw) -> "NetworkSpec":
        """Build a spec from loose user input: sizes as text or list, one activation or one per hidden layer."""
        sizes = parse_sizes(sizes)
        n_hidden = max(len(sizes) - 2, 0)
        if isinstance(activation, str):
            acts = (activation,) * n_hidden
        else:
            acts = tuple(activation)
        spec = cls(sizes=sizes, hidden_activations=acts, **kw)
        spec = spec.normalised()
        spec.validate()
        return spec

    def normalised(self) -> "NetworkSpec":
        return replace(
            self,
            sizes=tuple(int(s) for s in self.sizes),
            hidden_activations=tuple(canonical(a) for a in self.hidden_activations),
            output_activation=canonical(self.output_activation),
            cost=canonical(self.cost),
            weight_init=canonical(self.weight_init),
            bias_init=canonical(self.bias_init),
            bias_value=float(self.bias_value) if isinstance(self.bias_value, numbers.Real) else self.bias_value,
            dtype=canonical(self.dtype),
        )

    # ---------------------------------------------------------------- validation
    def validate(self) -> None:
        sizes = parse_sizes(self.sizes)
        if len(sizes) < 2:
            raise SpecError("A network needs at least an input and an output layer, e.g. 2,1 or 784,30,10.")
        if len(sizes) > MAX_DEPTH:
            raise SpecError(f"{len(sizes)} layers is more than this playground supports ({MAX_DEPTH}).")
        for n in sizes:
            if n > MAX_LAYER_WIDTH:
                raise SpecError(f"A layer of {n:,} neurons is too large (at most {MAX_LAYER_WIDTH:,}).")
        if len(self.hidden_activations) != len(sizes) - 2:
            raise SpecError(
                f"{len(sizes) - 2} hidden layer(s) need {len(sizes) - 2} activation(s), "
                f"got {len(self.hidden_activations)}: give one activation for every hidden layer, "
                f"or exactly one per hidden layer, in order."
            )
        for a in self.hidden_activations:
            _choose("hidden activation", a, HIDDEN_ACTIVATIONS)
        out = _choose("output activation", self.output_activation, OUTPUT_ACTIVATIONS)
        cost = _choose("cost", self.cost, COSTS)
        _choose("weight initialisation", self.weight_init, WEIGHT_INITS)
        _choose("bias initialisation", self.bias_init, BIAS_INITS)
        _choose("number type", self.dtype, DTYPES)
        if not math.isfinite(_real("Bias value", self.bias_value)):
            raise SpecError(f"Bias value {self.bias_value} must be a finite number (0.1 is the usual choice for ReLU).")
        self._check_cost_output(cost, out, sizes[-1])

    @staticmethod
    def _check_cost_output(cost: str, out: str, n_out: int) -> None:
        if cost == "log_likelihood" and out != "softmax":
            raise SpecError(
                f"Log-likelihood cost needs a softmax output layer (it reads the output as a probability "
                f"distribution), but the output is {out}. Choose softmax output, or cross-entropy cost for "
                f"a sigmoid output."
            )
        if cost == "cross_entropy" and out == "linear":
            raise SpecError(
                "Cross-entropy cost needs outputs between 0 and 1, but a linear output can be any number "
                "(the log would be undefined). Choose a sigmoid or softmax output, or quadratic cost."
            )
        if out == "softmax" and n_out < 2:
            raise SpecError(
                "Softmax over a single output neuron is always 1, so nothing can be learned. Use at least "
                "two output neurons, or a sigmoid output for a single yes/no answer."
            )

    # ---------------------------------------------------------------- sizes
    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """(n_out, n_in) of each weight matrix, Nielsen's orientation."""
        return [(self.sizes[i + 1], self.sizes[i]) for i in range(len(self.sizes) - 1)]

    @property
    def n_params(self) -> int:
        return sum(o * i + o for o, i in self.layer_shapes)

    @property
    def n_layers(self) -> int:
        """Number of weight layers (len(sizes) - 1)."""
        return len(self.sizes) - 1

    @property
    def itemsize(self) -> int:
        return 4 if canonical(self.dtype) == "float32" else 8

    def estimate_bytes(self, batch_size: int = 10, n_train: int = 0) -> int:
        """Parameters, gradients, two optimiser buffers, a best-params copy and per-batch workspace."""
        params = self.n_params * 6
        units = sum(self.sizes)
        workspace = batch_size * units * 4  # z, a, delta, dropout mask per unit
        data = n_train * (self.sizes[0] + self.sizes[-1])
        return (params + workspace + data) * self.itemsize

    def check_memory(self, batch_size: int = 10, n_train: int = 0) -> int:
        need = self.estimate_bytes(batch_size, n_train)
        if need > MAX_BYTES:
            raise SpecError(
                f"This network would need about {need / 1024**3:.1f} GiB of memory "
                f"({self.n_params:,} parameters, batch {batch_size}); the limit is "
                f"{MAX_BYTES / 1024**3:.0f} GiB. Use fewer or smaller layers, or a smaller batch."
            )
        return need

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sizes"] = list(self.sizes)
        d["hidden_activations"] = list(self.hidden_activations)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "NetworkSpec":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise SpecError(f"Unknown network settings: {', '.join(sorted(unknown))}.")
        acts = d.get("hidden_activations", ())
        if not isinstance(acts, (list, tuple)):
            raise SpecError(f"The hidden activations {acts!r} must be a list of names, one per hidden layer.")
        spec = cls(**{**d, "sizes": parse_sizes(d.get("sizes", ())), "hidden_activations": tuple(acts)}).normalised()
        spec.validate()
        return spec


# The training settings a running trainer accepts (Trainer.set_config): the one list of them.
LIVE_FIELDS = ("eta", "batch_size", "l2", "l1", "dropout")


@dataclass
class TrainConfig:
    """Training settings. eta, batch_size, l2, l1 and dropout may change while training runs."""

    eta: float = 0.5
    batch_size: int = 10
    optimizer: str = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    adam_eps: float = 1e-8
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    epochs: int | None = 30
    seed: int = 1
    schedule: str = "constant"
    plateau_epochs: int = 10
    max_halvings: int = 7
    early_stopping: int | None = None

    LIVE = LIVE_FIELDS

    def normalised(self) -> "TrainConfig":
        return replace(self, optimizer=canonical(self.optimizer), schedule=canonical(self.schedule))

    def validate(self) -> None:
        """Check every field, types first: a model file can hold anything, and a bad value must be a
        SpecError here, not a TypeError from deep inside training."""
        for name in ("optimizer", "schedule"):
            if not isinstance(getattr(self, name), str):
                raise SpecError(f"The {name} {getattr(self, name)!r} must be a name such as "
                                f"{'sgd' if name == 'optimizer' else 'constant'}.")
        _choose("optimiser", self.optimizer, OPTIMIZERS)
        _choose("learning-rate schedule", self.schedule, SCHEDULES)
        eta = _real("Learning rate", self.eta)
        if not (eta > 0 and eta < float("inf")):
            raise SpecError(f"Learning rate {self.eta} must be a positive number (try 0.1 to 3 for SGD).")
        _whole("Batch size", self.batch_size, 1)
        if self.batch_size > MAX_BATCH:
            raise SpecError(f"Batch size {self.batch_size} is too large (at most {MAX_BATCH}).")
        for name in ("l2", "l1"):
            v = _real(f"{name.upper()} regularisation", getattr(self, name))
            if not (v >= 0 and v < float("inf")):
                raise SpecError(f"{name.upper()} regularisation {v} must be zero or positive.")
        if not (0.0 <= _real("Dropout", self.dropout) < 1.0):
            raise SpecError(f"Dropout {self.dropout} must be at least 0 and below 1 (it is a drop probability).")
        if not (0.0 <= _real("Momentum", self.momentum) < 1.0):
            raise SpecError(f"Momentum {self.momentum} must be at least 0 and below 1.")
        if not (0.0 <= _real("Adam's beta1", self.beta1) < 1.0 and 0.0 <= _real("Adam's beta2", self.beta2) < 1.0):
            raise SpecError("Adam's beta1 and beta2 must be at least 0 and below 1.")
        if not (0.0 < _real("Adam's epsilon", self.adam_eps) <= 1.0):
            raise SpecError(f"Adam's epsilon {self.adam_eps} must be a small positive number such as 1e-8.")
        _whole("Epochs", self.epochs, 1, optional=True)
        _whole("The plateau schedule's patience (epochs)", self.plateau_epochs, 1)
        _whole("The plateau schedule's number of halvings", self.max_halvings, 0)
        _whole("The early-stopping patience (epochs)", self.early_stopping, 1, optional=True)
        check_seed(self.seed)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        cfg = cls(**{k: v for k, v in d.items() if k in known}).normalised()
        cfg.validate()
        return cfg
