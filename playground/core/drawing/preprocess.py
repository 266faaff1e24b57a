"""From a drawing (any size, ink bright on dark, values in [0, 1]) to the 28x28 a network reads.

MNIST-style (LeCun et al.'s recipe): crop to the ink, scale the longer side to 20 px with area
averaging (anti-aliased grey levels, aspect ratio kept), paste into 28x28, then move the digit
so its centre of mass sits at the centre. A drawing that is small or off-centre ends up like an
MNIST digit. The plain alternative resizes the whole canvas to 28x28, which is what many demos
do and why they misread small or off-centre digits. Every intermediate image is returned, so the
pipeline can be shown step by step.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

SIDE = 28                # MNIST's image side
BOX = 20                 # the longer side of the digit inside it
INK_LEVEL = 0.1          # a pixel with less ink than this is background when looking for the digit
MIN_INK_FRACTION = 0.03  # ink boxes smaller than this share of the canvas side are a dot, not a digit
BLANK = "There is no ink: the image is blank."
DOT = "That is a dot, not a digit: draw a digit, larger or with a thinner pen."
BLOB_FILL = 0.72          # a round blob fills ~79 % of its box (a disc); a digit with a hole or a gap less
BLOB_ASPECT = (0.75, 1.33)


@dataclass
class Step:
    title: str
    image: np.ndarray          # 2-D float32, ink in [0, 1]


@dataclass
class Preprocessed:
    pixels: np.ndarray | None          # (28, 28) float32 in [0, 1], or None when nothing can be read
    steps: list[Step] = field(default_factory=list)
    reason: str | None = None          # why pixels is None
    mnist_style: bool = True


def ink_box(ink: np.ndarray, level: float = INK_LEVEL):
    """(top, bottom, left, right) of the pixels above ``level`` (bottom/right exclusive), or None."""
    rows = np.flatnonzero((ink > level).any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero((ink > level).any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def is_dot(crop: np.ndarray, canvas_side: int) -> bool:
    """Too small to be a digit, or a round blob: a pen put down once makes a disc, which area
    averaging would blow up into a 20 px ball that the network reads as a confident 8 or 0."""
    h, w = crop.shape
    if max(h, w) < MIN_INK_FRACTION * canvas_side:
        return True
    return BLOB_ASPECT[0] <= h / w <= BLOB_ASPECT[1] and float((crop > 0.5).mean()) > BLOB_FILL


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area averaging when shrinking (every source pixel counts by the area it covers); bilinear
    when enlarging, where area averaging would only repeat pixels."""
    h, w = image.shape
    shrinking = width <= w and height <= h
    method = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    out = Image.fromarray(np.ascontiguousarray(image, np.float32)).resize((width, height), method)
    return np.asarray(out, np.float32)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    total = float(image.sum())
    ys, xs = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ ys) / total, float(image.sum(axis=0) @ xs) / total


def _check(ink) -> np.ndarray:
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2 or min(ink.shape) < 1:
        raise ValueError(f"a drawing must be a 2-D array, not shape {ink.shape}")
    return np.clip(np.nan_to_num(ink), 0.0, 1.0)


def _blank(steps, mnist_style) -> Preprocessed:
    return Preprocessed(None, steps, BLANK, mnist_style)


def preprocess(ink, mnist_style: bool = True) -> Preprocessed:
    """The 28x28 pixels a network reads for ``ink`` (2-D, bright ink in [0, 1]), with every step."""
    ink = _check(ink)
    steps = [Step("Canvas", ink)]
    box = ink_box(ink)
    if box is None:
        return _blank(steps, mnist_style)
    if not mnist_style:
        small = resize(ink, SIDE, SIDE)
        steps.append(Step("Whole canvas shrunk to 28x28", small))
        return Preprocessed(small, steps, None, False)

    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    steps.append(Step("Cropped", crop))
    h, w = crop.shape
    if is_dot(crop, max(ink.shape)):
        return Preprocessed(None, steps, DOT, True)
    scale = BOX / max(h, w)
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    digit = resize(crop, sw, sh)
    peak = float(digit.max())
    if peak <= 0:
        return _blank(steps, True)
    # A thin pen leaves only faint grey after averaging; MNIST's strokes reach full intensity.
    digit = np.minimum(digit / peak, 1.0)
    steps.append(Step(f"Scaled to {BOX} px", digit))

    boxed = np.zeros((SIDE, SIDE), np.float32)
    y0, x0 = (SIDE - sh) // 2, (SIDE - sw) // 2
    boxed[y0:y0 + sh, x0:x0 + sw] = digit
    steps.append(Step("Pasted in 28x28", boxed))

    # Place the digit so its centre of mass lands on the centre, clamped so no ink leaves the frame.
    cy, cx = centre_of_mass(digit)
    y1 = int(np.clip(round(SIDE / 2 - cy - 0.5), 0, SIDE - sh))
    x1 = int(np.clip(round(SIDE / 2 - cx - 0.5), 0, SIDE - sw))
    centred = np.zeros((SIDE, SIDE), np.float32)
    centred[y1:y1 + sh, x1:x1 + sw] = digit
    steps.append(Step("Centred by mass", centred))
    return Preprocessed(centred, steps, None, True)


def ink_from_gray(gray) -> tuple[np.ndarray, bool]:
    """Bright-on-dark ink from a greyscale picture in [0, 1] of either polarity; (ink, inverted).

    Paper is whatever most of the border is: a light border means dark ink on light paper. The
    paper's level becomes 0 and the strongest ink 1, so grey paper or faded ink still read.
    """
    g = _check(gray)
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    paper = float(np.median(border))
    inverted = paper > 0.5
    ink = 1.0 - g if inverted else g
    paper = 1.0 - paper if inverted else paper
    ink = np.clip(ink - paper, 0.0, None)
    peak = float(ink.max())
    if peak < INK_LEVEL:            # nothing stands out from the paper: blank
        return np.zeros_like(ink), inverted
    return (ink / peak).astype(np.float32), inverted
