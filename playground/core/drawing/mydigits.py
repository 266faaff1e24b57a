"""A class's own handwriting: drawings kept in the user data folder, one small JSON file each
(the 28x28 the network saw, as 0-255 grey levels, plus the strokes at full resolution), so a
folder can be copied, inspected, or pruned by hand.

Read as arrays for evaluation and training, and exported as the four MNIST-style IDX files.
Every write goes through a temporary file; a folder that cannot be written raises
MyDigitsError saying which folder and why, and nothing already stored is touched.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from ..errors import DataError
from .preprocess import SIDE

ENV = "NN_PLAYGROUND_MY_DIGITS"
MAX_FILE_BYTES = 4 * 1024**2        # a drawing with thousands of points is ~100 KB
MAX_DRAWINGS = 100_000


class MyDigitsError(DataError):
    """The my-digits folder cannot be read or written (the message names it and says why)."""


def default_folder() -> Path:
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("nn-playground")) / "my-digits"


class MyDigits:
    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else default_folder()

    def __repr__(self):
        return f"MyDigits({str(self.folder)!r})"

    def add(self, label: int, pixels, strokes=(), canvas_side: int | None = None) -> Path:
        """Keep one drawing of ``label``; returns its file."""
        label = int(label)
        if not 0 <= label <= 9:
            raise MyDigitsError(f"a digit is 0 to 9, not {label}")
        grey = np.clip(np.rint(np.asarray(pixels, np.float64).reshape(SIDE, SIDE) * 255), 0, 255).astype(int)
        record = {"label": label, "pixels": grey.ravel().tolist(), "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                  "canvas_side": canvas_side,
                  "strokes": [[[round(float(v), 5) for v in pt] for pt in s] for s in strokes]}
        text = json.dumps(record, separators=(",", ":"))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".drawing-", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            path = self.folder / f"{label}-{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(3).hex()}.json"
            os.replace(tmp, path)
        except OSError as e:
            raise MyDigitsError(f"Cannot keep the drawing in {self.folder}: {e.strerror or e}. "
                                f"The drawing is still on the canvas. Make the folder writable, or set "
                                f"{ENV} to another folder.") from None
        return path

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        try:
            return sorted(p for p in self.folder.glob("*.json") if p.is_file())[:MAX_DRAWINGS]
        except OSError as e:
            raise MyDigitsError(f"Cannot read {self.folder}: {e.strerror or e}") from None

    def load(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(x (n, 784) float32 in [0, 1], y (n,) int64, problems): a damaged file is skipped and
        named in ``problems``, never allowed to stop the rest from loading."""
        xs, ys, problems = [], [], []
        for p in self.files():
            try:
                if p.stat().st_size > MAX_FILE_BYTES:
                    raise ValueError("too large")
                d = json.loads(p.read_text("utf-8"))
                label, pixels = d["label"], np.asarray(d["pixels"], np.float64)
                if (not isinstance(label, int) or not 0 <= label <= 9 or pixels.shape != (SIDE * SIDE,)
                        or not np.all((pixels >= 0) & (pixels <= 255))):
                    raise ValueError("not a digit drawing")
            except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
                problems.append(f"{p.name}: {e}")
                continue
            xs.append((pixels / 255).astype(np.float32))
            ys.append(label)
        x = np.array(xs, np.float32).reshape(-1, SIDE * SIDE)
        return x, np.array(ys, np.int64), problems

    def counts(self) -> np.ndarray:
        """Drawings per digit, from the file names (cheap: nothing is parsed)."""
        c = np.zeros(10, np.int64)
        for p in self.files():
            if p.name[:1].isdigit():
                c[int(p.name[0])] += 1
        return c

    def export_idx(self, folder) -> list[Path]:
        """Write my-digits-{images-idx3,labels-idx1}-ubyte.gz into ``folder``; returns the paths."""
        from ..data.idx import write_idx
        x, y, _ = self.load()
        if len(y) == 0:
            raise MyDigitsError(f"There are no drawings in {self.folder} to export yet.")
        folder = Path(folder)
        images = np.rint(x.reshape(-1, SIDE, SIDE) * 255).astype(np.uint8)
        try:
            return [write_idx(folder / "my-digits-images-idx3-ubyte.gz", images),
                    write_idx(folder / "my-digits-labels-idx1-ubyte.gz", y.astype(np.uint8))]
        except OSError as e:
            raise MyDigitsError(f"Cannot export to {folder}: {e.strerror or e}") from None
