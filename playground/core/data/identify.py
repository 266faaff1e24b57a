"""Which dataset a folder of IDX files really holds.

MNIST and Fashion-MNIST have the same file names, shapes and label range, so a folder of one
passes every format check for the other, and a network would train on digits labelled "Sandal".
Two independent tests tell them apart:

* the published checksums (and those of the reduced MNIST shared with this project) identify
  the original files for certain; only files of exactly a known size are hashed;
* for anything else (a subset, a re-compressed copy such as Debian's), the images themselves:
  MNIST digits are size-normalised into a 20x20 box centred in 28x28, so ~98% of them leave the
  outermost pixel frame blank (at least 87% in every class), while Fashion-MNIST items are
  scaled to touch it (not one of its 70,000 images leaves it blank). The share of blank frames
  in a sample decides, for a subset of any classes; too few images with ink decide nothing.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ..catalogue import TITLES
from .locate import REMOTES

# (size in bytes, "algorithm:digest") -> dataset, for the files whose checksums are published.
_REDUCED_MNIST = {   # /work/shared/data/mnist (README.md): 5,000 training digits, original test set
    (806433, "sha256:92844db5e7e28e7ac93429ac2dd6e8d22ec59066bbf2251eff103e4a123109f1"),
    (84, "sha256:b2c2ef9d45711d55574171c373912175ea8ca30fa004a5671f96a03787772fdd"),
    (1648877, "sha256:167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b"),
    (4542, "sha256:fc607395669ec21321ea83e4b82c0544b7e8e63ff5b34337c06bc0a17cc0da3c"),
}
KNOWN_FILES = {**{key: "mnist" for key in _REDUCED_MNIST},
               **{(remote.sizes[f], h): name for name, remote in REMOTES.items()
                  for f, h in remote.hashes.items() if f in remote.sizes}}
_KNOWN_SIZES = {size for size, _ in KNOWN_FILES}

SAMPLE = 2000                 # images looked at (spread over the file: the reduced MNIST is sorted by class)
MIN_INKED = 20                # fewer images with any ink than this decide nothing
MNIST_MIN_BLANK = 0.6         # MNIST: >= 0.87 per class, 0.98 overall
FASHION_MAX_BLANK = 0.1       # Fashion-MNIST: 0.0 in every class


def identify_file(path) -> str | None:
    """"mnist" or "fashion-mnist" if ``path`` is one of the files with known checksums, else None."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size not in _KNOWN_SIZES:
        return None
    import hashlib
    data = path.read_bytes()
    for algorithm in ("sha256", "md5"):
        found = KNOWN_FILES.get((size, f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"))
        if found:
            return found
    return None


def blank_frame_share(images: np.ndarray) -> tuple[float, int]:
    """(share of inked images whose outermost pixel frame is blank, number of inked images looked at)."""
    a = np.asarray(images)
    if len(a) > SAMPLE:
        a = a[np.linspace(0, len(a) - 1, SAMPLE).astype(np.int64)]
    a = a[a.reshape(len(a), -1).max(axis=1) > 0]
    if not len(a):
        return float("nan"), 0
    frame = np.concatenate([a[:, 0, :], a[:, -1, :], a[:, :, 0], a[:, :, -1]], axis=1)
    return float(np.mean(frame.max(axis=1) == 0)), len(a)


def identify_images(images: np.ndarray) -> str | None:
    """"mnist", "fashion-mnist", or None when the images (N, 28, 28) do not say clearly."""
    return _judge(images)[0]


def _judge(images: np.ndarray) -> tuple[str | None, float, int]:
    """(verdict, share of blank frames, inked images looked at)."""
    a = np.asarray(images)
    if a.ndim != 3 or a.shape[1:] != (28, 28):
        return None, float("nan"), 0
    share, n = blank_frame_share(a)
    if n < MIN_INKED:
        return None, share, n
    if share >= MNIST_MIN_BLANK:
        return "mnist", share, n
    if share <= FASHION_MAX_BLANK:
        return "fashion-mnist", share, n
    return None, share, n


def identify(paths: dict, arrays: dict | None = None) -> tuple[str | None, str]:
    """What the four files (keys of locate.FILES) hold, and how that was decided.

    ``arrays`` (the same keys, already read) saves reading the images again."""
    for key, path in paths.items():
        found = identify_file(path)
        if found:
            return found, f"{Path(path).name} has the checksum of the {TITLES[found]} file"
    for key in ("test_images", "train_images"):
        if arrays is not None and key in arrays:
            images = arrays[key]
        else:
            from .idx import read_idx
            images = read_idx(paths[key], ndim=3)
        found, share, n = _judge(images)
        if found:
            what = ("handwritten digits with a blank border" if found == "mnist" else
                    "pictures that fill the frame, as clothing does")
            return found, (f"{Path(paths[key]).name} holds {what}: {100 * share:.0f}% of {n:,} images have "
                           f"a blank edge")
    return None, "the files do not say which dataset they are"


def datasets_in(folder) -> dict[str, str | None]:
    """The image datasets ``folder`` provides (directly or in an ``mnist/`` / ``fashion-mnist/``
    subfolder), each with what its files were identified as (None: they do not say)."""
    from .locate import _search_root
    out = {}
    for name in REMOTES:
        found = _search_root(Path(folder), name, [], "")
        if found:
            held = _identified(tuple((key, str(path), *_signature(path)) for key, path in found.items()))
            if held in (None, name):
                out[name] = held
    return out


def _signature(path) -> tuple[int, int]:
    try:
        st = Path(path).stat()
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns


@functools.lru_cache(maxsize=32)
def _identified(files: tuple) -> str | None:
    """identify() of the files, remembered while their size and time stay the same: the window
    scans data folders on every dataset switch, and each look unpacks a whole image file."""
    return identify({key: path for key, path, *_ in files})[0]
