"""How raw pixels become a network's input, stored with a model so any saved model reads new
images (drawings, files) exactly as it read its training data.

Pixels arrive in [0, 1], ink bright on a dark background, flattened in row order. A dataset
trained with ``standardise`` also subtracts a per-pixel mean and divides by a per-pixel std.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ModelFileError

MAX_SIDE = 4096        # an image side a model file may declare; the network's input size decides the rest


@dataclass(frozen=True, eq=False)
class InputTransform:
    image_shape: tuple[int, int] | None = (28, 28)
    mean: np.ndarray | None = None          # (n_in,) float32 or None
    std: np.ndarray | None = None

    @property
    def n_in(self) -> int | None:
        return None if self.image_shape is None else self.image_shape[0] * self.image_shape[1]

    def apply(self, pixels) -> np.ndarray:
        """(n, n_in) float32 network input for pixels in [0, 1] of shape (n, ...) or (n_in,)."""
        x = np.asarray(pixels, np.float32)
        n_in = self.n_in if self.n_in is not None else x.shape[-1]
        x = x.reshape(-1, n_in)
        if self.mean is not None:
            x = (x - self.mean) / self.std
        return np.ascontiguousarray(x, np.float32)

    @property
    def input_scale(self) -> np.ndarray | float:
        """d(network input)/d(pixel): 1 / std, or 1 without standardisation."""
        return 1.0 if self.std is None else 1.0 / self.std

    def describe(self) -> str:
        shape = "x".join(map(str, self.image_shape)) if self.image_shape else "flat"
        return f"{shape} pixels in [0, 1]" + (", standardised per pixel" if self.mean is not None else "")

    def to_dict(self) -> dict:
        return {"image_shape": list(self.image_shape) if self.image_shape else None,
                "pixel_range": [0.0, 1.0],
                "mean": None if self.mean is None else [float(v) for v in self.mean],
                "std": None if self.std is None else [float(v) for v in self.std]}

    @classmethod
    def from_dataset(cls, dataset) -> "InputTransform | None":
        if dataset is None or dataset.image_shape is None:
            return None
        return cls(tuple(dataset.image_shape), dataset.mean, dataset.std)

    @classmethod
    def from_dict(cls, d, n_in: int) -> "InputTransform":
        """Validate a stored transform against the network's input size (a model file is untrusted)."""
        if not isinstance(d, dict):
            raise ModelFileError("the input transform ('input') is not an object")
        shape = d.get("image_shape")
        if shape is not None:
            if (not isinstance(shape, list) or len(shape) != 2
                    or not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_SIDE for s in shape)):
                raise ModelFileError("the input transform's image_shape must be two whole numbers")
            if shape[0] * shape[1] != n_in:
                raise ModelFileError(f"the input transform's image shape {shape[0]}x{shape[1]} does not match "
                                     f"the network's {n_in} inputs")
            shape = (shape[0], shape[1])
        rng = d.get("pixel_range", [0.0, 1.0])
        if rng != [0.0, 1.0] and rng != [0, 1]:
            raise ModelFileError("the input transform's pixel_range must be [0, 1]")
        mean, std = d.get("mean"), d.get("std")
        if (mean is None) != (std is None):
            raise ModelFileError("the input transform needs both mean and std, or neither")
        if mean is not None:
            mean, std = _vector(mean, n_in, "mean"), _vector(std, n_in, "std")
            if np.any(std <= 0):
                raise ModelFileError("the input transform's std must be positive")
        return cls(shape, mean, std)


def _vector(v, n: int, what: str) -> np.ndarray:
    if not isinstance(v, list) or len(v) != n:
        raise ModelFileError(f"the input transform's {what} must be a list of {n} numbers")
    if not all(isinstance(e, (int, float)) and not isinstance(e, bool) and math.isfinite(e) for e in v):
        raise ModelFileError(f"the input transform's {what} must contain only finite numbers")
    return np.asarray(v, np.float32)
