"""IDX reading: files are built byte by byte here (struct), independently of write_idx."""
import gzip
import struct

import numpy as np
import pytest

from playground.core.data import read_idx, write_idx
from playground.core.errors import DataError


def idx_bytes(array: np.ndarray, type_code: int = 0x08, dims=None) -> bytes:
    dims = array.shape if dims is None else dims
    return struct.pack(">BBBB", 0, 0, type_code, len(dims)) + struct.pack(f">{len(dims)}I", *dims) + array.tobytes()


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)


def test_reads_hand_built_raw_and_gzip_files(tmp_path, images):
    raw, gz = tmp_path / "a.idx", tmp_path / "a.idx.gz"
    raw.write_bytes(idx_bytes(images))
    gz.write_bytes(gzip.compress(idx_bytes(images)))
    for path in (raw, gz):
        got = read_idx(path, ndim=3)
        assert got.dtype == np.uint8 and got.shape == (5, 28, 28)
        np.testing.assert_array_equal(got, images)


def test_gzip_is_detected_by_magic_not_by_name(tmp_path, images):
    gz_named_raw = tmp_path / "images-idx3-ubyte"          # gzip content, no .gz
    raw_named_gz = tmp_path / "images-idx3-ubyte.gz"       # raw content, .gz name
    gz_named_raw.write_bytes(gzip.compress(idx_bytes(images)))
    raw_named_gz.write_bytes(idx_bytes(images))
    np.testing.assert_array_equal(read_idx(gz_named_raw), images)
    np.testing.assert_array_equal(read_idx(raw_named_gz), images)


def test_labels_and_big_endian_types(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    (tmp_path / "l").write_bytes(idx_bytes(labels, dims=(5,)))
    np.testing.assert_array_equal(read_idx(tmp_path / "l", ndim=1), labels)
    ints = np.array([[1, -2], [300000, 7]], ">i4")
    (tmp_path / "i").write_bytes(idx_bytes(ints, 0x0C))
    got = read_idx(tmp_path / "i")
    assert got.dtype == np.dtype("int32") and got.dtype.isnative
    np.testing.assert_array_equal(got, [[1, -2], [300000, 7]])


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
@pytest.mark.parametrize("compress", [True, False])
def test_write_idx_round_trip(tmp_path, dtype, compress):
    a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    path = write_idx(tmp_path / "x", a, gzip=compress)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    got = read_idx(path)
    assert got.shape == a.shape and got.dtype == a.dtype
    np.testing.assert_array_equal(got, a)


def test_write_idx_header_is_standard(tmp_path, images):
    path = write_idx(tmp_path / "x", images, gzip=False)
    assert path.read_bytes() == idx_bytes(images)          # same bytes as the hand-built file


def test_write_idx_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(DataError, match="dtype"):
        write_idx(tmp_path / "x", np.zeros(3, np.complex64))


@pytest.mark.parametrize("magic", [b"\x00\x00\x07\x03", b"\x01\x00\x08\x03", b"PK\x03\x04", b"<htm"])
def test_bad_magic(tmp_path, images, magic):
    path = tmp_path / "bad-magic"
    path.write_bytes(magic + idx_bytes(images)[4:])
    with pytest.raises(DataError, match="magic") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_truncated_payload_names_file_and_sizes(tmp_path, images):
    path = tmp_path / "short.idx"
    path.write_bytes(idx_bytes(images)[:-100])
    expected = 5 * 28 * 28
    with pytest.raises(DataError, match="truncated") as err:
        read_idx(path)
    msg = str(err.value)
    assert str(path) in msg and f"{expected:,}" in msg and f"{expected - 100:,}" in msg


def test_truncated_gzip_stream(tmp_path, images):
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(idx_bytes(images))[:-40])     # cut inside the deflate stream
    with pytest.raises(DataError) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_corrupt_gzip(tmp_path, images):
    blob = bytearray(gzip.compress(idx_bytes(images)))
    blob[len(blob) // 2: len(blob) // 2 + 20] = b"\xff" * 20
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(blob))
    with pytest.raises(DataError) as err:
        read_idx(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("compress", [False, True])
def test_payload_too_long(tmp_path, images, compress):
    data = idx_bytes(images) + b"\x00" * 7
    path = tmp_path / "long"
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(DataError, match="too long") as err:
        read_idx(path)
    assert str(path) in str(err.value) and f"{5 * 28 * 28:,}" in str(err.value)


def test_header_cut_short(tmp_path):
    path = tmp_path / "tiny"
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(DataError, match="truncated"):
        read_idx(path)
    path.write_bytes(b"")
    with pytest.raises(DataError):
        read_idx(path)


def test_wrong_dimension_count(tmp_path, images):
    path = tmp_path / "img"
    path.write_bytes(idx_bytes(images))
    with pytest.raises(DataError, match="3 dimensions, expected 1"):
        read_idx(path, ndim=1)                              # images where labels were expected


@pytest.mark.parametrize("ndim_byte", [0, 9])
def test_impossible_dimension_count(tmp_path, ndim_byte):
    path = tmp_path / "nd"
    path.write_bytes(bytes([0, 0, 8, ndim_byte]) + b"\x00\x00\x00\x01" * ndim_byte)
    with pytest.raises(DataError, match="dimensions"):
        read_idx(path)


def test_zero_dimension(tmp_path):
    path = tmp_path / "zero"
    path.write_bytes(struct.pack(">BBBBII", 0, 0, 8, 2, 0, 28))
    with pytest.raises(DataError, match="empty"):
        read_idx(path)


def test_huge_declared_size_is_refused_before_allocating(tmp_path):
    # 60000 x 100000 x 100000 bytes would be 6e14: must fail on the header, not in np.empty.
    path = tmp_path / "huge"
    path.write_bytes(struct.pack(">BBBBIII", 0, 0, 8, 3, 60000, 100000, 100000) + b"\x00" * 10)
    with pytest.raises(DataError, match="limit"):
        read_idx(path)
    small = tmp_path / "small"
    small.write_bytes(idx_bytes(np.zeros(100, np.uint8)))
    with pytest.raises(DataError, match="limit"):
        read_idx(small, max_bytes=99)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="cannot open"):
        read_idx(tmp_path / "nope.gz")


def test_reduced_mnist_headers(shared_mnist_dir):
    images = read_idx(shared_mnist_dir / "train-images-idx3-ubyte.gz", ndim=3)
    labels = read_idx(shared_mnist_dir / "train-labels-idx1-ubyte.gz", ndim=1)
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and np.bincount(labels).tolist() == [500] * 10
    # Independent reader: gzip + fixed 16-byte header offset.
    raw = gzip.decompress((shared_mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    assert struct.unpack(">IIII", raw[:16]) == (0x803, 10000, 28, 28)
    np.testing.assert_array_equal(read_idx(shared_mnist_dir / "t10k-images-idx3-ubyte.gz"),
                                  np.frombuffer(raw, np.uint8, offset=16).reshape(10000, 28, 28))
