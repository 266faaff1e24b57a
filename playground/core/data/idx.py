"""Read and write IDX files (the MNIST format), gzip-compressed or raw.

Layout: a 4-byte magic ``00 00 <type> <ndim>``, then ``ndim`` big-endian uint32
sizes, then the payload in C order. Everything is checked before it is trusted:
the declared size is capped *before* allocating, and the payload must be exactly
as long as the sizes say, because a short or padded file means the wrong file.
"""

from __future__ import annotations

import gzip as _gzip
import os
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fileread import IrregularFile, open_regular

# IDX type code -> big-endian dtype, as defined by LeCun's format description.
IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
IMAGES_MAGIC = 0x00000803   # uint8, 3 dims (N, rows, cols)
LABELS_MAGIC = 0x00000801   # uint8, 1 dim  (N,)
MAX_BYTES = 1_000_000_000   # full MNIST is 47 MB; anything near this is a corrupt header
MAX_NDIM = 4
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


class _Gunzip:
    """A gzip stream read with zlib directly, so every byte that could be decompressed is handed
    over before a cut-short file is reported (gzip.GzipFile drops the last buffer on EOFError,
    and a message would under-count what the file holds)."""

    def __init__(self, f):
        self._f, self._d, self.truncated = f, zlib.decompressobj(16 + zlib.MAX_WBITS), False

    def read(self, n: int) -> bytes:
        out = []
        while n > 0:
            if self._d.eof:
                rest = self._d.unused_data or self._f.read(_CHUNK)
                if not rest.startswith(GZIP_MAGIC):      # no further gzip member: the end
                    break
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = rest
            else:
                data = self._d.unconsumed_tail or self._f.read(_CHUNK)
                if not data:
                    self.truncated = True
                    break
            chunk = self._d.decompress(data, n)
            out.append(chunk)
            n -= len(chunk)
        return b"".join(out)

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _open(path: Path):
    """Open raw or gzip by looking at the first two bytes; names lie, magic does not."""
    f = open_regular(path)
    head = f.read(2)
    f.seek(0)
    return _Gunzip(f) if head == GZIP_MAGIC else f


def _read_exact(f, n: int, path: Path, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise DataError(f"{path}: file ends inside the IDX {what}: expected {n} bytes, got {len(data)}; "
                        f"the file is truncated or not an IDX file")
    return data


def read_idx(path, *, ndim: int | None = None, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """Return the array stored in the IDX file at ``path`` (native byte order).

    ``ndim`` optionally demands a dimension count (3 for images, 1 for labels).
    Raises DataError naming the file for a bad magic, bad sizes, a payload that is
    too short or too long, a corrupt gzip stream, or a declared size over ``max_bytes``.
    """
    path = Path(path)
    try:
        f = _open(path)
    except OSError as exc:
        raise DataError(f"cannot open IDX file {path}: {exc.strerror or exc}") from exc
    except IrregularFile as exc:
        raise DataError(f"refused IDX file: {exc}") from None
    try:
        with f:
            return _read(f, path, ndim, max_bytes)
    except (EOFError, zlib.error, OSError) as exc:   # gzip.BadGzipFile is an OSError
        raise DataError(f"{path}: cannot read the file, it is corrupt or truncated ({exc}); "
                        f"download or copy it again") from exc


def _read(f, path: Path, want_ndim: int | None, max_bytes: int) -> np.ndarray:
    magic = _read_exact(f, 4, path, "magic number")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_TYPES:
        raise DataError(f"{path}: bad IDX magic 0x{magic.hex()}; expected 0x00000803 (images) or "
                        f"0x00000801 (labels); this is not an IDX file")
    dtype, nd = IDX_TYPES[magic[2]], magic[3]
    if not 1 <= nd <= MAX_NDIM:
        raise DataError(f"{path}: IDX header declares {nd} dimensions; expected 1 to {MAX_NDIM}")
    if want_ndim is not None and nd != want_ndim:
        raise DataError(f"{path}: IDX file has {nd} dimensions, expected {want_ndim} "
                        f"({'images: count, rows, cols' if want_ndim == 3 else 'labels: count'}); "
                        f"images and labels files may be swapped")
    shape = tuple(int(d) for d in np.frombuffer(_read_exact(f, 4 * nd, path, "dimension sizes"), ">u4"))
    if 0 in shape:
        raise DataError(f"{path}: IDX header declares an empty dimension {shape}")
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize   # object: no int64 overflow
    if expected > max_bytes:
        raise DataError(f"{path}: IDX header declares shape {shape} = {expected:,} bytes, over the "
                        f"{max_bytes:,}-byte limit; the header is corrupt")
    buf = np.empty(expected, np.uint8)
    got = 0
    while got < expected:
        data = f.read(min(_CHUNK, expected - got))
        if not data:
            break
        buf[got:got + len(data)] = np.frombuffer(data, np.uint8)
        got += len(data)
    if got < expected:
        ended = " before the gzip stream ended" if getattr(f, "truncated", False) else ""
        raise DataError(f"{path}: payload truncated: expected {expected:,} bytes for shape {shape}, "
                        f"got {got:,}{ended}; the file is cut short, download or copy it again")
    extra = len(f.read(_CHUNK))
    if extra:
        raise DataError(f"{path}: payload too long: expected {expected:,} bytes for shape {shape}, "
                        f"got at least {expected + extra:,}; the header does not match the data")
    if getattr(f, "truncated", False):      # all the data, but not the gzip trailer with its checksum
        raise DataError(f"{path}: the gzip stream is cut short after the data (its checksum is missing); "
                        f"download or copy it again")
    return buf.view(dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def write_idx(path, array, *, gzip: bool = True) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed unless ``gzip=False``); returns the path."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise DataError(f"IDX cannot store dtype {array.dtype}; use one of uint8, int8, int16, int32, float32, float64")
    if not 1 <= array.ndim <= MAX_NDIM:
        raise DataError(f"IDX stores 1 to {MAX_NDIM} dimensions, not {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    payload = np.ascontiguousarray(array, IDX_TYPES[code]).tobytes()
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    # mtime=0 keeps the bytes (and so the hash) reproducible.
    with (_gzip.GzipFile(tmp, "wb", mtime=0) if gzip else open(tmp, "wb")) as f:
        f.write(header)
        f.write(payload)
    os.replace(tmp, path)
    return path

