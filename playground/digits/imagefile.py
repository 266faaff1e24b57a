"""Reading a drawing or photo of a digit from a PNG or JPEG file, safely.

A file is untrusted: the pixel count its header declares is checked before anything is decoded,
so a small file that would unpack to gigabytes (a decompression bomb) is refused in bounded
memory and time. Large but sane photos are decoded at a reduced size (JPEG's DCT scaling)
and shrunk by area averaging before preprocessing, which only needs the shape of the ink.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from playground.core.errors import DataError

FORMATS = ("PNG", "JPEG")
MAX_PIXELS = 40_000_000       # ~ a 7,000 x 5,700 photo; a drawing needs far fewer
WORK_SIDE = 1024              # longer side the ink is found at


class ImageFileError(DataError):
    """This file cannot be read as a drawing (the message says why)."""


def _flatten_alpha(im: Image.Image) -> Image.Image:
    """Transparent paper becomes paper of the colour that contrasts with the ink."""
    rgba = im.convert("RGBA")
    alpha = np.asarray(rgba.getchannel("A"))
    if alpha.min() == 255:
        return rgba.convert("L")
    grey = np.asarray(rgba.convert("L"), np.float32)
    opaque = alpha > 127
    ink_is_dark = not opaque.any() or float(grey[opaque].mean()) < 128
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255) if ink_is_dark else (0, 0, 0, 255))
    return Image.alpha_composite(paper, rgba).convert("L")


def read_gray(path) -> np.ndarray:
    """The image in ``path`` as 2-D float32 grey levels in [0, 1]; ImageFileError if it is not a
    PNG or JPEG, is corrupt, or declares more than MAX_PIXELS pixels."""
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as im:
                w, h = im.size
                if w * h > MAX_PIXELS or w < 1 or h < 1:
                    raise ImageFileError(f"{path.name} declares {w:,} x {h:,} pixels, more than the "
                                         f"{MAX_PIXELS:,} a drawing could need; refusing to decode it")
                if im.format == "JPEG" and max(w, h) > 2 * WORK_SIDE:
                    im.draft("L", (WORK_SIDE, WORK_SIDE))      # decode at 1/2 .. 1/8 scale
                im.load()
                im = ImageOps.exif_transpose(im)      # a phone photo stored sideways stands upright
                if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                    # 16-bit or float grey: convert("L") would clip everything above 255 to white.
                    a = np.asarray(im, np.float32)
                    top = float(a.max())
                    im = Image.fromarray((a / top * 255 if top > 0 else a).astype(np.uint8))
                im = _flatten_alpha(im) if ("A" in im.getbands() or "transparency" in im.info) else im.convert("L")
                if max(im.size) > WORK_SIDE:
                    k = WORK_SIDE / max(im.size)
                    im = im.resize((max(1, round(im.width * k)), max(1, round(im.height * k))), Image.Resampling.BOX)
                return np.asarray(im, np.float32) / 255
    except ImageFileError:
        raise
    except FileNotFoundError:
        raise ImageFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImageFileError(f"{path} is a folder, not an image") from None
    except PermissionError:
        raise ImageFileError(f"{path}: permission denied") from None
    except UnidentifiedImageError:
        raise ImageFileError(f"{path.name} is not a PNG or JPEG image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageFileError(f"{path.name} would decode to an absurd number of pixels; refusing it") from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as e:
        raise ImageFileError(f"{path.name} is damaged or truncated ({e})") from None
