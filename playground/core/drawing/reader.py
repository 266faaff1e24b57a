"""Which network reads a drawing, and one complete reading of it.

A Reader is a network plus what it needs to read an image: its input transform and class names.
The network being trained reads whenever it takes 784 inputs and gives 10 outputs; otherwise
the digit model shipped in assets/ does, and ``why`` says why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..catalogue import DATASETS, DIGITS
from ..transform import InputTransform
from . import explain
from .preprocess import SIDE, Preprocessed, preprocess

ASSETS = Path(__file__).resolve().parents[2] / "assets"
SHIPPED_MODEL = ASSETS / "digit-model.npz"


@dataclass(eq=False)
class Reader:
    network: object
    transform: InputTransform
    class_names: tuple[str, ...] = DIGITS
    title: str = ""             # "the network you are training (it knows MNIST digits)"
    why: str = ""               # why this one and not the other, "" when there is nothing to explain
    knows: str = "digits"       # "digits" | "garments" | ...: what its classes are

    @property
    def reads_digits(self) -> bool:
        return tuple(self.class_names) == DIGITS


@dataclass(eq=False)
class Reading:
    prep: Preprocessed
    probabilities: np.ndarray | None = None      # (10,)
    top: int = -1
    runner_up: int = -1
    evidence: np.ndarray | None = None           # (2, 28, 28): top class, runner-up
    hidden: list[np.ndarray] = field(default_factory=list)
    note: str | None = None                      # why a readable drawing still has no answer

    @property
    def reason(self) -> str | None:
        return self.prep.reason or self.note


def fits(network) -> str | None:
    """None if ``network`` can read 28x28 drawings into ten classes, else why not."""
    sizes = network.spec.sizes
    if sizes[0] != SIDE * SIDE:
        return f"this network takes {sizes[0]} input{'s' if sizes[0] != 1 else ''}, not 784 pixels"
    if sizes[-1] != 10:
        return f"this network has {sizes[-1]} output{'s' if sizes[-1] != 1 else ''}, not ten classes"
    return None


def load_reader(path=SHIPPED_MODEL, title: str | None = None) -> Reader:
    """A Reader for a model file; its transform and class names come from the file when it has them."""
    from ..persist import load_model
    loaded = load_model(path)
    problem = fits(loaded.network)
    if problem:
        from ..errors import ModelFileError
        raise ModelFileError(f"{Path(path).name} cannot read digits: {problem}")
    transform = loaded.input_transform or InputTransform((SIDE, SIDE))
    names = tuple(loaded.class_names or DIGITS)
    knows = _knows(loaded.dataset_name, names)
    return Reader(loaded.network, transform, names, title or f"the model in {Path(path).name}", "", knows)


def shipped_reader() -> Reader:
    return load_reader(SHIPPED_MODEL, "the shipped digit model")


def _knows(dataset_name, names) -> str:
    known = DATASETS.get(dataset_name) if isinstance(dataset_name, str) else None
    if known is not None and known.knows:
        return known.knows
    return "digits" if tuple(names) == DIGITS else "its own ten classes"


def reader_for(network, dataset, fallback) -> Reader:
    """The trained network when it fits (with the dataset's transform and classes), else
    ``fallback()`` (the shipped model) with ``why`` saying what is wrong with the trained one."""
    problem = "there is no network yet" if network is None else fits(network)
    if problem is None:
        transform = InputTransform.from_dataset(dataset) or InputTransform((SIDE, SIDE))
        names = tuple(getattr(dataset, "class_names", None) or DIGITS)
        knows = _knows(getattr(dataset, "name", None), names)
        return Reader(network, transform, names, f"the network you are training (it knows {knows})", "", knows)
    reader = fallback()
    reader.why = f"The shipped digit model is reading because {problem}."
    return reader


def probabilities(network, out) -> np.ndarray:
    """Softmax outputs as they are; sigmoid or linear outputs made to sum to 1 for the bars."""
    out = np.asarray(out, np.float64).ravel()
    if network.spec.output_activation == "softmax":
        return out
    out = np.clip(out, 0.0, None)
    total = out.sum()
    return out / total if total > 0 else np.full(out.shape, 1.0 / out.size)


def read(reader: Reader, ink, mnist_style: bool = True, *, prep: Preprocessed | None = None) -> Reading:
    """Preprocess ``ink``, run the network, explain the top two classes."""
    prep = prep or preprocess(ink, mnist_style)
    if prep.pixels is None:
        return Reading(prep)
    net = reader.network
    x = reader.transform.apply(prep.pixels)
    zs, acts = explain.forward(net, x)
    p = probabilities(net, acts[-1])
    if not np.all(np.isfinite(p)):
        return Reading(prep, note="The network's outputs are not numbers (its training diverged): reset it.")
    order = np.argsort(-p, kind="stable")
    top, second = int(order[0]), int(order[1])
    ev = explain.evidence(net, zs, prep.pixels, [top, second], reader.transform.input_scale)
    return Reading(prep, p, top, second, ev.reshape(2, SIDE, SIDE).astype(np.float32),
                   explain.hidden_activations(acts))
