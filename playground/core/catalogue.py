"""Every dataset the playground knows, described once: its name, titles, classes, sizes and where a
distribution installs it. The data layer, the CLI and the window's labels all read this table.
No Qt and no numpy here: describing a dataset must not load it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DIGITS = tuple("0123456789")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot")
# For cells a few characters wide (the confusion matrix); same order as FASHION_CLASSES.
FASHION_SHORT = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")     # Debian's dataset-fashion-mnist package


@dataclass(frozen=True)
class DatasetInfo:
    name: str                        # what --dataset and run files say
    title: str                       # in messages: "could not find the MNIST files"
    label: str                       # in the window's dataset list
    kind: str                        # "toy" (2-D points, generated) | "image" (28x28, read from files)
    n_in: int
    n_classes: int
    image_shape: tuple[int, int] | None = None
    class_names: tuple[str, ...] | None = None
    short_names: tuple[str, ...] | None = None
    knows: str = ""                  # what a network trained on it reads: "MNIST digits"
    idx: bool = False                # four IDX .gz files, found or downloaded by core.data.locate
    subfolders: tuple[str, ...] = ()     # looked in under a data folder before the folder itself
    system_dirs: tuple[Path, ...] = ()   # where distribution packages install it
    install_hint: str = ""
    in_window: bool = True

    @property
    def is_toy(self) -> bool:
        return self.kind == "toy"

    def class_name(self, k: int, short: bool = False) -> str:
        names = (self.short_names if short else None) or self.class_names
        return names[k] if names is not None and 0 <= k < len(names) else str(k)


def _toy(name: str, title: str) -> DatasetInfo:
    return DatasetInfo(name, title, title, "toy", 2, 2)


def _image(name, title, label, names=DIGITS, **kw) -> DatasetInfo:
    return DatasetInfo(name, title, label, "image", 784, 10, (28, 28), names, **kw)


# In the order the window lists them.
_ALL = (
    _toy("spirals", "Spirals"), _toy("circles", "Circles"), _toy("xor", "XOR"), _toy("gaussians", "Gaussians"),
    _toy("moons", "Moons"),
    _image("mnist", "MNIST", "MNIST digits", knows="MNIST digits", idx=True, subfolders=("mnist",)),
    _image("fashion-mnist", "Fashion-MNIST", "Fashion-MNIST", FASHION_CLASSES, short_names=FASHION_SHORT,
           knows="Fashion-MNIST garments", idx=True, subfolders=("fashion-mnist", "fashion"),
           system_dirs=(DEBIAN_FASHION,),
           install_hint="sudo apt-get install dataset-fashion-mnist  (Debian/Ubuntu)"),
    _image("my-digits", "My digits + MNIST", "My digits + MNIST", knows="your own digits"),
    _image("mnist-pkl", "Nielsen's mnist.pkl.gz", "MNIST (Nielsen's pickle)", knows="MNIST digits",
           subfolders=("mnist",), in_window=False),
)
DATASETS = {d.name: d for d in _ALL}
DATASET_NAMES = tuple(DATASETS)
TOY_NAMES = tuple(d.name for d in _ALL if d.is_toy)
IMAGE_NAMES = tuple(d.name for d in _ALL if not d.is_toy)
IDX_NAMES = tuple(d.name for d in _ALL if d.idx)
WINDOW_NAMES = tuple(d.name for d in _ALL if d.in_window)
TITLES = {d.name: d.title for d in _ALL}
CLASS_NAMES = {d.name: d.class_names for d in _ALL if d.class_names is not None}


def info(name: str) -> DatasetInfo:
    """The description of dataset ``name``; a KeyError-free lookup for unknown names is ``DATASETS.get``."""
    from .errors import DataError
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}") from None


def io_sizes(name: str) -> tuple[int, int]:
    """(inputs, classes) of dataset ``name``."""
    d = info(name)
    return d.n_in, d.n_classes


def class_name(name: str, k: int, short: bool = False) -> str:
    """Class ``k`` of dataset ``name`` as a person reads it ("Sandal"); the number for an unknown dataset."""
    d = DATASETS.get(name)
    return d.class_name(k, short) if d is not None else str(k)
