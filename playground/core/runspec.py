"""A run, described once: which data (DataSpec), which network (NetworkSpec), how it is trained
(TrainConfig: optimiser, rates, epochs or until stopped, seed). The CLI, the window's controls,
run files and saved models all build and read this one structure.

Two shapes of the same thing: ``to_dict``/``from_dict`` (nested, versioned, what files hold) and
``to_settings``/``from_settings`` (flat keys, what the controls and presets speak). Defaults come
from core.presets only.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace

from . import catalogue, presets
from .errors import SpecError
from .spec import NetworkSpec, TrainConfig, _real, _whole, check_seed

RUNSPEC_VERSION = 1
_TOY_POINTS = 1000               # core.data.toy.DEFAULT_N_SAMPLES, for the memory estimate
_IMAGE_ROWS = 60000              # the full MNIST training set, for the memory estimate

# Flat setting -> TrainConfig field, for those spelt alike; "epochs"/"until_stopped" are combined.
_TRAIN_KEYS = ("eta", "batch_size", "optimizer", "momentum", "beta1", "beta2", "adam_eps", "l2", "l1", "dropout",
               "seed", "schedule", "plateau_epochs", "max_halvings", "early_stopping")
_NETWORK_KEYS = {"output": "output_activation", "cost": "cost", "weight_init": "weight_init",
                 "bias_init": "bias_init", "bias_value": "bias_value", "dtype": "dtype"}


@dataclass(frozen=True)
class DataSpec:
    """The data of a run. ``seed`` None: the run's seed (a new seed for the weights alone, as the
    window's Shift+R gives, keeps the old data seed here)."""

    name: str = presets.DEFAULT_DATASET
    noise: float = presets.COMMON["noise"]                 # toys only
    test_ratio: float = presets.COMMON["test_ratio"]       # toys only: image sets have a fixed test set
    n_samples: int | None = None                           # toys: points generated (1000)
    train_size: int | None = None                          # None: every training sample left
    validation_size: int | None = None                     # None: the dataset's default
    standardise: bool = False
    data_dir: str | None = None                            # None: the usual search (core.data.locate)
    seed: int | None = None

    @property
    def info(self) -> catalogue.DatasetInfo:
        return catalogue.info(self.name)

    def validate(self) -> None:
        if not isinstance(self.name, str) or self.name not in catalogue.DATASETS:
            raise SpecError(f"Unknown dataset {self.name!r}: choose one of {', '.join(catalogue.DATASET_NAMES)}.")
        noise = _real("Noise", self.noise)
        if not (math.isfinite(noise) and noise >= 0):
            raise SpecError(f"Noise {self.noise} must be zero or a positive number (0.05 is gentle).")
        if not 0.0 <= _real("The test share", self.test_ratio) < 1.0:
            raise SpecError(f"The test share {self.test_ratio} must be at least 0 and below 1 (0.25 is usual).")
        _whole("The number of points", self.n_samples, 2, optional=True)
        _whole("The training-set size", self.train_size, 1, optional=True)
        _whole("The validation-set size", self.validation_size, 0, optional=True)
        if not isinstance(self.standardise, bool):
            raise SpecError(f"'standardise' {self.standardise!r} must be true or false.")
        if self.data_dir is not None and not isinstance(self.data_dir, str):
            raise SpecError(f"The data folder {self.data_dir!r} must be a path.")
        if self.seed is not None:
            check_seed(self.seed)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DataSpec":
        _only(d, cls, "data settings")
        spec = cls(**d)
        spec.validate()
        return spec

    def load(self, run_seed: int, **kw):
        """The Dataset this describes (``kw``: allow_download, progress, cache_dir... for load_dataset)."""
        from .data import load_dataset
        kw.setdefault("data_dir", self.data_dir)
        return load_dataset(self.name, train_size=self.train_size, validation_size=self.validation_size,
                            test_ratio=self.test_ratio, noise=self.noise, n_samples=self.n_samples,
                            seed=run_seed if self.seed is None else self.seed, standardise=self.standardise,
                            **kw)


@dataclass(frozen=True)
class RunSpec:
    data: DataSpec = field(default_factory=DataSpec)
    network: NetworkSpec | None = None
    train: TrainConfig = field(default_factory=TrainConfig)

    # ------------------------------------------------------------------ the parts people name
    @property
    def epochs(self) -> int | None:
        """Epochs per run; None: until stopped."""
        return self.train.epochs

    @property
    def until_stopped(self) -> bool:
        return self.train.epochs is None

    @property
    def seed(self) -> int:
        """Initial weights, mini-batch order, dropout masks, and the data unless data.seed is set."""
        return self.train.seed

    @property
    def data_seed(self) -> int:
        return self.seed if self.data.seed is None else self.data.seed

    def with_epochs(self, epochs: int | None) -> "RunSpec":
        return replace(self, train=replace(self.train, epochs=epochs))

    # ------------------------------------------------------------------ building
    @classmethod
    def default(cls, dataset: str | None = None, preset: str | None = None) -> "RunSpec":
        """The run the window starts with (or its dataset's starting run)."""
        return cls.from_settings(presets.settings(dataset or presets.DEFAULT_DATASET, preset))

    @classmethod
    def from_settings(cls, settings: dict) -> "RunSpec":
        """A validated run from flat settings (the controls' keys, see presets.settings). Keys left
        out take the dataset's starting value. ``sizes`` (input..output) may replace ``hidden``;
        ``hidden_activations`` is used when it has one entry per hidden layer, else ``activation``
        for every hidden layer."""
        s = {**presets.settings(settings.get("dataset", presets.DEFAULT_DATASET)), **settings}
        dataset = s["dataset"]
        data = DataSpec(**{f.name: s.get(_data_key(f.name), f.default) for f in fields(DataSpec)})
        data.validate()
        if s.get("sizes") is not None:
            sizes = s["sizes"]
        else:
            n_in, n_classes = catalogue.io_sizes(dataset)
            sizes = [n_in, *s["hidden"], n_classes]
        n_hidden = max(len(sizes) - 2, 0) if not isinstance(sizes, str) else None
        acts = s.get("hidden_activations")
        if acts is None or isinstance(acts, str) or n_hidden is None or len(acts) != n_hidden:
            acts = s["activation"]
        network = NetworkSpec.make(sizes, acts, **{f: s[k] for k, f in _NETWORK_KEYS.items() if k in s})
        epochs = None if s.get("until_stopped") else s["epochs"]
        train = TrainConfig(**{k: s[k] for k in _TRAIN_KEYS if k in s}, epochs=epochs).normalised()
        run = cls(data, network, train)
        run.validate()
        return run

    def to_settings(self) -> dict:
        """Flat settings (the controls' keys plus every other field) that from_settings reads back."""
        n = self.network
        out = {_data_key(f.name): getattr(self.data, f.name) for f in fields(DataSpec)}
        out.update(hidden=list(n.sizes[1:-1]), sizes=list(n.sizes), hidden_activations=list(n.hidden_activations),
                   activation=n.hidden_activations[0] if n.hidden_activations else presets.preset(self.data.name)
                   ["activation"])
        out.update({k: getattr(n, f) for k, f in _NETWORK_KEYS.items()})
        out.update({k: getattr(self.train, k) for k in _TRAIN_KEYS})
        out.update(epochs=self.train.epochs if self.train.epochs is not None else
                   presets.preset(self.data.name)["epochs"], until_stopped=self.until_stopped)
        return out

    # ------------------------------------------------------------------ checking
    def validate(self) -> None:
        """Every part valid, and the network fits the data; the engine's own messages."""
        if not isinstance(self.data, DataSpec) or not isinstance(self.network, NetworkSpec) \
                or not isinstance(self.train, TrainConfig):
            raise SpecError("A run needs its data, network and training settings.")
        self.data.validate()
        self.network.validate()
        self.train.validate()
        info = self.data.info
        if self.network.sizes[0] != info.n_in:
            raise SpecError(f"The first layer has {self.network.sizes[0]} inputs but {self.data.name} has "
                            f"{info.n_in} numbers per sample: start --layers with {info.n_in}.")
        from .data.dataset import check_outputs
        check_outputs(self.data.name, info.n_classes, self.network.sizes[-1])

    def check_memory(self) -> int:
        """The network's memory estimate against the limit, with a full-size training set."""
        rows = (self.data.n_samples or _TOY_POINTS) if self.data.info.is_toy else _IMAGE_ROWS
        return self.network.check_memory(self.train.batch_size, rows)

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict:
        return {"version": RUNSPEC_VERSION, "data": self.data.to_dict(), "network": self.network.to_dict(),
                "train": self.train.to_dict()}

    @classmethod
    def from_dict(cls, d) -> "RunSpec":
        """The run ``d`` describes; SpecError for anything else, including a newer version."""
        if not isinstance(d, dict):
            raise SpecError("A run description must be an object with 'version', 'data', 'network' and 'train'.")
        check_version(d, RUNSPEC_VERSION, "The run description")
        _only(d, None, "run description", ("version", "data", "network", "train"))
        for key in ("data", "network", "train"):
            if not isinstance(d.get(key), dict):
                raise SpecError(f"The run description's {key!r} must be an object.")
        _only(d["train"], TrainConfig, "training settings")
        try:
            train = TrainConfig(**d["train"]).normalised()
            run = cls(DataSpec.from_dict(d["data"]), NetworkSpec.from_dict(d["network"]), train)
        except TypeError as e:        # a value of the wrong kind where a constructor needs one
            raise SpecError(f"The run description has a value of the wrong kind: {e}") from None
        run.validate()
        return run

    # ------------------------------------------------------------------ running
    def load_dataset(self, **kw):
        return self.data.load(self.seed, **kw)

    def build_network(self):
        from .network import Network
        return Network(self.network, seed=self.seed)

    def trainer(self, dataset=None, **kw):
        """A fresh Trainer for this run: same data, same initial weights, same batch order."""
        from .trainer import Trainer
        return Trainer(self.build_network(), dataset if dataset is not None else self.load_dataset(),
                       self.train, **kw)


def check_version(d: dict, newest: int, what: str, error=SpecError) -> int:
    """``d``'s whole-number "version", refused when newer than ``newest``: a file from a newer
    nn-playground may mean something this one would misread."""
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise error(f"{what} needs a whole-number 'version'.")
    if version > newest:
        raise error(f"{what} is version {version}, but this playground reads up to version {newest}: "
                    f"it was written by a newer nn-playground. Update to open it.")
    if version < 1:
        raise error(f"{what} version {version} does not exist (versions start at 1).")
    return version


def _data_key(name: str) -> str:
    """DataSpec field -> flat setting ("name" is the controls' "dataset", "seed" is "data_seed")."""
    return {"name": "dataset", "seed": "data_seed"}.get(name, name)


def _only(d: dict, cls, what: str, allowed=None) -> None:
    allowed = set(allowed) if allowed is not None else {f.name for f in fields(cls)}
    unknown = sorted(str(k) for k in set(d) - allowed)
    if unknown:
        raise SpecError(f"Unknown {what}: {', '.join(unknown[:5])}.")
