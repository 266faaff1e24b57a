"""Random distortions of 28x28 digits that make a model read drawings, not just scans.

Mouse and pen drawings differ from MNIST's scanned pen strokes: one uniform stroke width (thin
or thick), shakier shapes, other slants and proportions. So every training epoch sees each digit
anew: shifted, rotated, scaled, stretched, elastically distorted (Simard et al. 2003) and with
strokes made thinner or thicker (grey erosion / dilation).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class Augmentation:
    shift: float = 2.0            # pixels, uniform in +-shift
    rotate: float = 15.0          # degrees, uniform in +-rotate
    scale: tuple = (0.85, 1.1)
    aspect: tuple = (0.75, 1.25)  # width / height
    elastic_alpha: float = 30.0   # Simard's alpha and sigma for 28x28 digits
    elastic_sigma: float = 4.5
    elastic_share: float = 0.6    # the share of digits distorted elastically
    thicken_share: float = 0.3    # grey dilation (a thicker pen)
    thin_share: float = 0.2       # grey erosion (a thinner pen), where enough ink survives

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def augment(images: np.ndarray, rng: np.random.Generator, aug: Augmentation = Augmentation()) -> np.ndarray:
    """A distorted copy of ``images`` (n, 28, 28) float32 in [0, 1]."""
    n, h, w = images.shape
    # One affine map per digit, about the image centre: output pixel -> input pixel.
    angle = np.deg2rad(rng.uniform(-aug.rotate, aug.rotate, n))
    s = rng.uniform(*aug.scale, n)
    a = np.sqrt(rng.uniform(*aug.aspect, n))
    sx, sy = s * a, s / a
    cos, sin = np.cos(angle), np.sin(angle)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    yc, xc = ys - (h - 1) / 2, xs - (w - 1) / 2
    # inverse of (scale then rotate): rotate back, then divide by the scale
    src_x = (cos[:, None, None] * xc + sin[:, None, None] * yc) / sx[:, None, None]
    src_y = (-sin[:, None, None] * xc + cos[:, None, None] * yc) / sy[:, None, None]
    src_x += (w - 1) / 2 - rng.uniform(-aug.shift, aug.shift, n)[:, None, None]
    src_y += (h - 1) / 2 - rng.uniform(-aug.shift, aug.shift, n)[:, None, None]

    elastic = rng.random(n) < aug.elastic_share
    k = int(elastic.sum())
    if k:
        field = rng.uniform(-1, 1, (2, k, h, w))
        field = ndimage.gaussian_filter(field, sigma=(0, 0, aug.elastic_sigma, aug.elastic_sigma), mode="constant")
        src_x[elastic] += aug.elastic_alpha * field[0]
        src_y[elastic] += aug.elastic_alpha * field[1]

    idx = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None, None], (n, h, w))
    out = ndimage.map_coordinates(images, [idx, src_y, src_x], order=1, mode="constant", cval=0.0)
    out = np.clip(out, 0.0, 1.0).astype(np.float32)

    pen = rng.random(n)
    thick = pen < aug.thicken_share
    thin = (pen >= aug.thicken_share) & (pen < aug.thicken_share + aug.thin_share)
    if thick.any():
        out[thick] = ndimage.grey_dilation(out[thick], size=(1, 2, 2))
    if thin.any():
        eroded = ndimage.grey_erosion(out[thin], size=(1, 2, 2))
        # A thin digit may vanish under erosion: keep those that keep most of their ink.
        keep = eroded.sum(axis=(1, 2)) > 0.4 * out[thin].sum(axis=(1, 2))
        sub = out[thin]
        sub[keep] = eroded[keep]
        out[thin] = sub
    return out
