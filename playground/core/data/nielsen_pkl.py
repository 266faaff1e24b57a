"""Load Michael Nielsen's ``mnist.pkl.gz`` without trusting it.

A pickle can name any importable callable and have the loader call it, so a plain
``pickle.load`` of a downloaded file is code execution. ``_NumpyOnlyUnpickler``
admits only the handful of globals that rebuilding numpy arrays needs and refuses
everything else *before* anything is called. The result is then checked to have
the documented structure: ``(training, validation, test)``, each ``(x, y)`` with
``x`` float (n, 784) in [0, 1] and ``y`` integer labels 0..9 of length n.
"""

from __future__ import annotations

import io
import pickle
import zlib
from pathlib import Path

import numpy as np

try:                                  # numpy >= 2
    from numpy._core import multiarray as _multiarray, numeric as _numeric
except ImportError:                   # numpy 1.x
    from numpy.core import multiarray as _multiarray, numeric as _numeric

from ..errors import DataError
from ..fileread import IrregularFile, read_regular_file

N_PIXELS = 784
N_CLASSES = 10
SPLITS = ("training", "validation", "test")
# The real mnist.pkl.gz is 17 MB and inflates to ~220 MB: these caps cost real users nothing, and a
# 4 MB gzip bomb stops after MAX_PICKLE_BYTES instead of filling the memory.
MAX_FILE_BYTES = 100 * 1024**2
MAX_PICKLE_BYTES = 400 * 1024**2
_CHUNK = 1 << 20


def _latin1_encode(text, encoding="latin1"):
    """Stand-in for ``_codecs.encode``: protocol-2 pickles spell bytes as latin-1 text."""
    if encoding.lower().replace("-", "").replace("_", "") not in ("latin1", "iso88591"):
        raise DataError(f"refused: the pickle asks to encode bytes as {encoding!r}, only latin1 is expected")
    return text.encode("latin1")


# Everything numpy arrays need, old (numpy.core, Python 2) and new (numpy._core) spellings.
# Each maps to an object we already hold, so admitting a name never imports a module.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _numeric._frombuffer,     # protocol 5
    ("numpy._core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def __init__(self, file, source: Path):
        # latin1 lets Python 3 read the Python 2 original (its array bytes are str there).
        super().__init__(file, encoding="latin1")
        self._source = source

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise DataError(f"refused to load {self._source}: it asks for {module}.{name}, which a data "
                            f"pickle of numpy arrays never needs; the file may be hostile") from None

    def persistent_load(self, pid):
        raise DataError(f"refused to load {self._source}: it uses persistent ids, which a data pickle never needs")


def _read_regular(path: Path) -> bytes:
    """The file's bytes if it is a regular file of at most MAX_FILE_BYTES (a FIFO or device is refused)."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES, f"{path.name}, which should be Nielsen's 17 MB pickle,")
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except IrregularFile as exc:
        raise DataError(f"refused: {exc}") from None


def _gunzip_capped(raw: bytes, path: Path) -> bytes:
    """Decompress as a stream, refusing past MAX_PICKLE_BYTES before that much is held."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)     # gzip wrapper
    out, size, data = [], 0, raw
    while data:
        chunk = d.decompress(data, _CHUNK)
        data = d.unconsumed_tail
        size += len(chunk)
        if size > MAX_PICKLE_BYTES:
            raise DataError(f"refused {path}: it inflates to more than {MAX_PICKLE_BYTES // 1024**2} MB, while "
                            f"Nielsen's mnist.pkl.gz inflates to about 220 MB; the file is not that pickle "
                            f"(possibly a decompression bomb)")
        out.append(chunk)
        if d.eof:
            break
    if not d.eof:
        raise DataError(f"{path}: the gzip stream is truncated; download or copy the file again")
    return b"".join(out)


def unpickle_numpy_only(path) -> object:
    """Unpickle ``path`` (gzip detected by magic) admitting only numpy arrays, tuples, lists and scalars."""
    path = Path(path)
    raw = _read_regular(path)
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = _gunzip_capped(raw, path)
        elif len(raw) > MAX_PICKLE_BYTES:
            raise DataError(f"refused {path}: {len(raw) / 1024**2:.0f} MB is larger than Nielsen's pickle")
        return _NumpyOnlyUnpickler(io.BytesIO(raw), path).load()
    except DataError:
        raise
    except (pickle.UnpicklingError, EOFError, zlib.error, OSError, ValueError, TypeError,
            AttributeError, IndexError, KeyError, MemoryError) as exc:
        raise DataError(f"{path} is not a readable pickle of numpy arrays ({type(exc).__name__}: {exc})") from exc


def _check_split(split, which: str, path: Path):
    if not (isinstance(split, (tuple, list)) and len(split) == 2):
        raise DataError(f"{path}: the {which} set should be a pair (images, labels), got {type(split).__name__}"
                        + (f" of length {len(split)}" if isinstance(split, (tuple, list)) else ""))
    x, y = split
    if not (isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[1] == N_PIXELS and x.dtype.kind == "f"):
        raise DataError(f"{path}: the {which} images should be a float array (n, {N_PIXELS}), got "
                        f"{getattr(x, 'dtype', type(x).__name__)} {getattr(x, 'shape', '')}")
    if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu"):
        raise DataError(f"{path}: the {which} labels should be a 1-D integer array, got "
                        f"{getattr(y, 'dtype', type(y).__name__)} {getattr(y, 'shape', '')}")
    if len(x) != len(y):
        raise DataError(f"{path}: the {which} set has {len(x)} images but {len(y)} labels")
    if len(x) and not (np.isfinite(x.min()) and x.min() >= 0.0 and x.max() <= 1.0):
        raise DataError(f"{path}: the {which} pixels should lie in [0, 1]; got [{x.min()}, {x.max()}]")
    if len(y) and (y.min() < 0 or y.max() >= N_CLASSES):
        raise DataError(f"{path}: the {which} labels should be 0..{N_CLASSES - 1}; got {y.min()}..{y.max()}")
    return np.ascontiguousarray(x, np.float32), y.astype(np.int64)


def load_nielsen_pickle(path):
    """Return ``((x_train, y_train), (x_val, y_val), (x_test, y_test))`` from Nielsen's mnist.pkl.gz.

    x: float32 (n, 784) in [0, 1]; y: int64 (n,). Raises DataError for anything hostile or malformed.
    """
    path = Path(path)
    data = unpickle_numpy_only(path)
    if not (isinstance(data, (tuple, list)) and len(data) == 3):
        length = f" of length {len(data)}" if isinstance(data, (tuple, list)) else ""
        raise DataError(f"{path}: expected a tuple (training, validation, test) as in Nielsen's mnist.pkl.gz, "
                        f"got {type(data).__name__}{length}")
    return tuple(_check_split(split, which, path) for split, which in zip(data, SPLITS))
