"""A good starting configuration for each dataset, and how to move between them.

The 2-D toys learn visibly within seconds with two small tanh layers and Adam at 0.02; the same
settings saturate on 784 pixel inputs (2 epochs: MNIST 76 / 77 %, Fashion-MNIST 62 / 61 %). The
image preset was chosen by measurement with the CLI (test accuracy after epochs 1 / 2 / 3, seed 1):

    784-100-10 ReLU/softmax/log-likelihood, He init, batch 10
      Adam eta 0.001:  MNIST (5,000 train) 90.8 / 90.2 / 92.7 %   Fashion-MNIST 84.7 / 85.7 / 87.0 %
      SGD  eta 0.1:    MNIST               87.8 / 90.3 / 93.0 %   Fashion-MNIST 84.3 / 84.3 / 85.6 %
      SGD  eta 0.05:   MNIST               88.1 / 90.4 / 91.8 %   Fashion-MNIST 84.6 / 84.9 / 85.7 %

Adam at 0.001 is good on both after one epoch and keeps the toys' optimiser.

Keys are plain setting names (``hidden`` is the list of hidden-layer sizes), shared by the GUI's
controls and anything else that describes a run.
"""
from __future__ import annotations

from .catalogue import DATASETS

TOY = {
    "hidden": [12, 12], "activation": "tanh", "output": "softmax", "cost": "log_likelihood",
    "weight_init": "xavier_normal", "bias_init": "zeros", "optimizer": "adam", "eta": 0.02,
    "batch_size": 10, "epochs": 300,
}
IMAGES = {
    "hidden": [100], "activation": "relu", "output": "softmax", "cost": "log_likelihood",
    "weight_init": "he", "bias_init": "zeros", "optimizer": "adam", "eta": 0.001,
    "batch_size": 10, "epochs": 20,
}
# Nielsen's network2 defaults, for his book's examples on the command line (--preset nielsen).
NIELSEN = {
    "hidden": [30], "activation": "sigmoid", "output": "sigmoid", "cost": "cross_entropy",
    "weight_init": "default", "bias_init": "normal", "optimizer": "sgd", "eta": 0.5,
    "batch_size": 10, "epochs": 30,
}
# Every 28x28 image dataset of the catalogue starts like MNIST; everything else like the toys.
PRESETS = {d.name: IMAGES for d in DATASETS.values() if not d.is_toy}
NAMED = {"toy": TOY, "images": IMAGES, "nielsen": NIELSEN}
KEYS = tuple(TOY)

# The run the window opens with and `nn-playground train` trains when given no options: an
# embedded toy problem that visibly learns within seconds, no download.
DEFAULT_DATASET = "spirals"
# Settings no preset changes.
COMMON = {"noise": 0.05, "test_ratio": 0.25, "l2": 0.0, "l1": 0.0, "dropout": 0.0, "until_stopped": False,
          "seed": 1}


def preset(dataset: str) -> dict:
    """The starting settings for ``dataset`` (a copy: callers may change it)."""
    p = PRESETS.get(dataset, TOY)
    return {k: (list(v) if isinstance(v, list) else v) for k, v in p.items()}


def settings(dataset: str = DEFAULT_DATASET, named: str | None = None) -> dict:
    """Every setting of a run on ``dataset`` as it starts: the dataset's preset (or the preset
    ``named`` in NAMED) plus COMMON. The flat keys of the window's controls."""
    if named is not None and named not in NAMED:
        from .errors import SpecError
        raise SpecError(f"Unknown preset {named!r}: choose one of {', '.join(NAMED)}.")
    chosen = preset(dataset) if named is None else {k: (list(v) if isinstance(v, list) else v)
                                                     for k, v in NAMED[named].items()}
    return {"dataset": dataset, **COMMON, **chosen}


def switch(settings: dict, old: str, new: str) -> tuple[dict, list[str]]:
    """``settings`` moved from dataset ``old`` to ``new``: every preset setting still at ``old``'s
    starting value takes ``new``'s; one the person changed is theirs and stays.
    Returns the new settings and the keys that changed."""
    before, after = preset(old), preset(new)
    out = dict(settings)
    changed = []
    for k in KEYS:
        if k in settings and _same(settings[k], before[k]) and not _same(before[k], after[k]):
            out[k] = after[k]
            changed.append(k)
    return out, changed


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a) == list(b)
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))
    return a == b
