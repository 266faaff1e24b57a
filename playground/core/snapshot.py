"""What the training loop publishes: small immutable records the GUI and CLI read without locks."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class LayerHistogram:
    """Distribution of one layer's pre-activations z and activations a on the fixed probe batch."""

    layer: int
    z_counts: np.ndarray
    z_edges: np.ndarray
    a_counts: np.ndarray
    a_edges: np.ndarray
    dead_fraction: float        # ReLU-like units that output 0 for every probe sample
    saturated_fraction: float   # sigmoid/tanh units stuck where the derivative is < 2% of its maximum
    zero_fraction: float = 0.0  # ReLU: share of all activations that are exactly 0 (the spike at 0)


@dataclass(frozen=True)
class EpochRecord:
    """network2's four monitors (plus test) after one epoch; None where that split is empty."""

    epoch: int
    training_loss: float | None
    training_accuracy: float | None
    validation_loss: float | None
    validation_accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    eta: float
    seconds: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Snapshot:
    epoch: int                  # completed epochs
    step: int                   # mini-batches trained so far
    samples_seen: int
    epoch_fraction: float       # epoch + progress within the current epoch, for x axes
    train_loss: float           # mean cost over the latest chunk
    grad_w_norm: np.ndarray     # per layer, averaged over the chunk's mini-batches
    grad_b_norm: np.ndarray
    weight_norm: np.ndarray
    eta: float
    samples_per_second: float
    elapsed: float
    state: str                  # compiling | training | paused | diverged | done | stopped
    histograms: list[LayerHistogram] | None = None
    epoch_record: EpochRecord | None = None
    message: str = ""
    seq: int = 0                # increases with every snapshot, so readers can skip stale ones
