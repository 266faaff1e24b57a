"""``Dataset``: the arrays a network trains on, and ``load_dataset(name, ...)`` that builds one.

Every dataset ends up the same shape: x float32 (N, n_in) C-contiguous, y int64 labels (N,),
split into train / validation / test. Image pixels are scaled to [0, 1] and flattened.

Splits are always made from a *seeded shuffle*: the reduced MNIST training file is sorted
by class, so "the last 1,000 images" would be a validation set of nines.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ..catalogue import CLASS_NAMES, DATASET_NAMES, IDX_NAMES, TITLES
from ..errors import DataError, SpecError
from ..spec import check_seed
from .identify import identify
from .idx import read_idx
from .locate import locate_dataset, locate_nielsen_pickle
from .nielsen_pkl import load_nielsen_pickle
from .toy import DEFAULT_N_SAMPLES, make_toy

IMAGE_DATASETS = IDX_NAMES      # read from IDX files
MY_DIGITS = "my-digits"       # drawings kept from the Draw page (core/drawing/mydigits.py)
TOY_VALIDATION_FRACTION = 0.1
_MIN_STD = 1e-6      # pixels that never vary (MNIST's border) keep std 1 instead of dividing by 0


class TargetShapeError(DataError, SpecError):
    """The network's output layer does not fit the dataset's classes. It is both a data and a
    spec problem, so either ``except`` catches it."""


def check_outputs(name: str, n_classes: int, n_out: int) -> None:
    """Refuse an output layer that cannot answer ``n_classes`` classes: it needs one unit per class,
    or a single 0/1 unit for two classes."""
    if n_out == n_classes or (n_out == 1 and n_classes == 2):
        return
    choices = f"{n_classes}" + (" (one-hot) or 1 (a single 0/1 output)" if n_classes == 2 else "")
    raise TargetShapeError(f"a network with {n_out} outputs cannot learn {name}, which has "
                           f"{n_classes} classes; make the output layer {choices} units wide")


@dataclass(repr=False, eq=False)
class Dataset:
    name: str
    x_train: np.ndarray           # (N, n_in) float32
    y_train: np.ndarray           # (N,) int64 labels 0..n_classes-1
    x_val: np.ndarray             # may be (0, n_in)
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int] | None = None     # (28, 28) for images, None for 2-D toys
    class_names: tuple[str, ...] | None = None
    mean: np.ndarray | None = None                 # (n_in,) training-set statistics when standardised,
    std: np.ndarray | None = None                  # so new inputs (the drawing pad) get the same transform
    source: str = ""

    @property
    def n_in(self) -> int:
        return self.x_train.shape[1]

    @property
    def standardised(self) -> bool:
        return self.mean is not None

    def split(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of "train"/"training", "validation"/"val" or "test"."""
        key = {"train": "train", "training": "train", "validation": "val", "val": "val", "test": "test"}.get(which)
        if key is None:
            raise DataError(f"unknown split {which!r}; use 'train', 'validation' or 'test'")
        return getattr(self, f"x_{key}"), getattr(self, f"y_{key}")

    def prepare(self, x) -> np.ndarray:
        """Bring raw inputs (pixels in [0, 1], flattened) into the form the network was trained on."""
        x = np.asarray(x, np.float32).reshape(-1, self.n_in)
        return (x - self.mean) / self.std if self.standardised else x

    def targets(self, labels, n_out: int, dtype=np.float32) -> np.ndarray:
        """Training targets for ``labels``: one-hot (N, n_classes) when ``n_out == n_classes``,
        or an (N, 1) 0/1 column when a two-class problem has a single (sigmoid) output."""
        labels = np.asarray(labels)
        if labels.ndim != 1 or (labels.size and (labels.min() < 0 or labels.max() >= self.n_classes)):
            raise DataError(f"labels must be a 1-D array of integers 0..{self.n_classes - 1}")
        check_outputs(self.name, self.n_classes, n_out)
        if n_out == self.n_classes:
            t = np.zeros((len(labels), n_out), dtype)
            t[np.arange(len(labels)), labels] = 1
            return t
        return labels.astype(dtype).reshape(-1, 1)

    def describe(self) -> str:
        parts = [f"{TITLES.get(self.name, self.name)}: {len(self.y_train):,} train / {len(self.y_val):,} validation / "
                 f"{len(self.y_test):,} test", f"{self.n_in} inputs", f"{self.n_classes} classes"]
        if self.image_shape:
            parts.append("{}x{} images".format(*self.image_shape))
        if self.standardised:
            parts.append("standardised")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<Dataset {self.describe()}>"


def _stratified(labels: np.ndarray, order: np.ndarray, k: int) -> np.ndarray:
    """``k`` indices from ``order`` (kept in its shuffled sequence) with the class shares of the
    whole of ``labels``, so a balanced file gives a balanced subset whatever validation took."""
    classes, full = np.unique(labels, return_counts=True)
    picked = labels[order]
    available = np.array([np.count_nonzero(picked == c) for c in classes])
    exact = k * full / full.sum()
    quota = np.minimum(np.floor(exact).astype(np.int64), available)
    while quota.sum() < k:      # largest remainder first, among classes that still have examples
        quota[np.argmax(np.where(quota < available, exact - quota, -np.inf))] += 1
    keep = np.zeros(len(order), bool)
    for c, q in zip(classes, quota):
        keep[np.flatnonzero(picked == c)[:q]] = True
    return order[keep]


def _split_indices(labels, n_val: int, train_size: int | None, seed: int):
    """Shuffle with ``seed``; validation = the last ``n_val``; training = the rest, cut to a
    stratified ``train_size`` if given."""
    n = len(labels)
    if not 0 <= n_val < n:
        raise DataError(f"validation_size must be between 0 and {n - 1} (there are {n:,} training examples), "
                        f"not {n_val}")
    order = np.random.default_rng(seed).permutation(n)
    train, val = order[:n - n_val], order[n - n_val:]
    if train_size is not None:
        if not 1 <= train_size <= len(train):
            held_out = f", after {n_val:,} went to validation" if n_val else ""
            raise DataError(f"train_size must be between 1 and {len(train):,} (the training examples "
                            f"available{held_out}), not {train_size}")
        if train_size < len(train):
            train = _stratified(labels, train, train_size)
    return train, val


def _check_int(name: str, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise DataError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _pixels(images: np.ndarray) -> np.ndarray:
    x = images.reshape(len(images), int(np.prod(images.shape[1:]))).astype(np.float32)
    x *= np.float32(1 / 255)
    return x


def _read_images(name, data_dir, cache_dir, allow_download, progress, base_url, hashes):
    files = locate_dataset(name, data_dir=data_dir, cache_dir=cache_dir, allow_download=allow_download,
                           progress=progress, base_url=base_url, hashes=hashes)
    p = files.paths
    arrays = {key: read_idx(path, ndim=3 if key.endswith("images") else 1) for key, path in p.items()}
    for key, a in arrays.items():
        if a.dtype != np.uint8:
            magic = "0x00000803" if "images" in key else "0x00000801"
            raise DataError(f"{p[key]}: expected uint8 data (magic {magic}), got {a.dtype}")
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise DataError(f"{p[f'{split}_images']} holds {n_img:,} images but {p[f'{split}_labels']} "
                            f"holds {n_lab:,} labels; the files do not belong together")
        if arrays[f"{split}_labels"].max() >= 10:
            raise DataError(f"{p[f'{split}_labels']}: labels must be 0..9, found {arrays[f'{split}_labels'].max()}")
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DataError(f"training images are {arrays['train_images'].shape[1:]} but test images are "
                        f"{arrays['test_images'].shape[1:]}")
    _check_identity(name, files, arrays)
    return arrays, files


def _check_identity(name, files, arrays) -> None:
    """Refuse MNIST given for Fashion-MNIST and the other way round: same names, same shapes."""
    held, why = identify(files.paths, arrays)
    if held is not None and held != name:
        want, have = TITLES.get(name, name), TITLES.get(held, held)
        raise DataError(f"{files.folder} holds {have}, not {want} ({why}). Choose a folder that holds "
                        f"{want}, or switch the dataset to {have}.")


def _my_digits(data_dir, validation_size, train_size, seed, cache_dir):
    """Your drawings, a seeded half held out as the test set; the other half trains mixed with
    MNIST's training digits when MNIST is found (alone otherwise)."""
    from ..drawing.mydigits import MyDigits
    store = MyDigits()
    x, y, _ = store.load()
    if len(y) < 2:
        raise DataError(f"There are {len(y)} drawings in {store.folder}; add some on the Draw page first "
                        f"(\"Add to my digits\").")
    order = np.random.default_rng(seed).permutation(len(y))
    mine, held = order[: len(y) // 2], order[len(y) // 2:]
    try:
        mnist = load_dataset("mnist", data_dir=data_dir, validation_size=validation_size, train_size=train_size,
                             seed=seed, allow_download=False, cache_dir=cache_dir)
        x_train, y_train = np.concatenate([mnist.x_train, x[mine]]), np.concatenate([mnist.y_train, y[mine]])
        x_val, y_val = mnist.x_val, mnist.y_val
        source = f"{len(mine)} of your drawings + MNIST ({mnist.source}); tested on your other {len(held)}"
    except DataError:
        x_train, y_train = x[mine], y[mine]
        x_val, y_val = x[:0], y[:0]
        source = f"{len(mine)} of your drawings (MNIST not found); tested on your other {len(held)}"
    return x_train, y_train, x_val, y_val, x[held], y[held], f"{store.folder}: {source}"


def load_dataset(name: str, *, data_dir=None, train_size: int | None = None, validation_size: int | None = None,
                 test_ratio: float = 0.25, noise: float = 0.1, seed: int = 1, standardise: bool = False,
                 n_samples: int | None = None, allow_download: bool = True, progress=None,
                 cache_dir=None, base_url: str | None = None, hashes=None) -> Dataset:
    """Load or generate dataset ``name`` (see DATASET_NAMES) and split it.

    Images ("mnist", "fashion-mnist", "mnist-pkl"): the test set is the official one;
    ``validation_size`` (default min(10000, n_train // 6); for "mnist-pkl" the pickle's own
    10,000) is carved from a seeded shuffle of the training set; ``train_size`` keeps a
    stratified subset of the rest. Toys: ``n_samples`` points (default 1000) with ``noise``;
    ``test_ratio`` of them form the test set, 10% of the rest the validation set.
    ``noise``, ``n_samples`` and ``test_ratio`` only apply to toys (image sets have a fixed test set).
    ``standardise`` subtracts the training mean and divides by the training std per input.
    ``data_dir``/``cache_dir``/``allow_download``/``progress``/``base_url``/``hashes`` go to locate_dataset.
    """
    if name not in DATASET_NAMES:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    train_size = _check_int("train_size", train_size)
    validation_size = _check_int("validation_size", validation_size)
    try:
        seed = check_seed(seed)
    except SpecError as e:
        raise DataError(str(e)) from None

    image_shape = class_names = None
    if name in IMAGE_DATASETS:
        arrays, files = _read_images(name, data_dir, cache_dir, allow_download, progress, base_url, hashes)
        images, labels = arrays["train_images"], arrays["train_labels"].astype(np.int64)
        n_val = min(10000, len(labels) // 6) if validation_size is None else validation_size
        train, val = _split_indices(labels, n_val, train_size, seed)
        # Index the uint8 arrays before converting: a quarter of the memory.
        x_train, y_train = _pixels(images[train]), labels[train]
        x_val, y_val = _pixels(images[val]), labels[val]
        x_test, y_test = _pixels(arrays["test_images"]), arrays["test_labels"].astype(np.int64)
        n_classes, image_shape, class_names = 10, arrays["train_images"].shape[1:], CLASS_NAMES[name]
        source = f"{files.folder} ({files.origin})"
    elif name == MY_DIGITS:
        x_train, y_train, x_val, y_val, x_test, y_test, source = _my_digits(
            data_dir, validation_size, train_size, seed, cache_dir)
        n_classes, image_shape, class_names = 10, (28, 28), CLASS_NAMES[name]
    elif name == "mnist-pkl":
        path = locate_nielsen_pickle(data_dir, cache_dir=cache_dir)
        (x_tr, y_tr), (x_va, y_va), (x_test, y_test) = load_nielsen_pickle(path)
        if validation_size is not None:        # re-split the pooled training + validation data
            x_tr, y_tr = np.concatenate([x_tr, x_va]), np.concatenate([y_tr, y_va])
            train, val = _split_indices(y_tr, validation_size, train_size, seed)
            x_va, y_va = x_tr[val], y_tr[val]
        else:
            train, _ = _split_indices(y_tr, 0, train_size, seed)
        x_train, y_train, x_val, y_val = x_tr[train], y_tr[train], x_va, y_va
        n_classes, image_shape, class_names = 10, (28, 28), CLASS_NAMES[name]
        source = str(path)
    else:
        if isinstance(test_ratio, bool) or not isinstance(test_ratio, numbers.Real) or not 0 <= test_ratio < 1:
            raise DataError(f"test_ratio must be at least 0 and below 1, not {test_ratio!r}")
        n = DEFAULT_N_SAMPLES if n_samples is None else _check_int("n_samples", n_samples)
        x, y = make_toy(name, n, noise, seed)          # already in random order
        n_test = int(round(n * test_ratio))
        x_rest, y_rest, x_test, y_test = x[:n - n_test], y[:n - n_test], x[n - n_test:], y[n - n_test:]
        n_val = int(len(y_rest) * TOY_VALIDATION_FRACTION) if validation_size is None else validation_size
        train, val = _split_indices(y_rest, n_val, train_size, seed)
        x_train, y_train, x_val, y_val = x_rest[train], y_rest[train], x_rest[val], y_rest[val]
        n_classes = 2
        source = f"generated (seed {seed}, noise {noise}, {n} points)"

    mean = std = None
    if standardise:
        mean = x_train.mean(axis=0, dtype=np.float64).astype(np.float32)
        std = x_train.std(axis=0, dtype=np.float64).astype(np.float32)
        std[std < _MIN_STD] = 1.0
        x_train, x_val, x_test = ((a - mean) / std for a in (x_train, x_val, x_test))

    c = np.ascontiguousarray
    return Dataset(name, c(x_train, np.float32), c(y_train, np.int64), c(x_val, np.float32), c(y_val, np.int64),
                   c(x_test, np.float32), c(y_test, np.int64), n_classes,
                   tuple(image_shape) if image_shape is not None else None, class_names, mean, std, source)
