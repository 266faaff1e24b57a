"""Nielsen's mnist.pkl.gz through the restricted unpickler: real data loads, hostile pickles
are refused before anything runs, malformed ones get DataError."""
import gzip
import os
import pickle

import numpy as np
import pytest

from playground.core.data import load_dataset, load_nielsen_pickle
from playground.core.errors import DataError


def make_splits(sizes=(60, 20, 20), seed=0):
    rng = np.random.default_rng(seed)
    return tuple((rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)) for n in sizes)


def write_pickle(path, obj, protocol=2, compress=True):
    blob = pickle.dumps(obj, protocol=protocol)
    path.write_bytes(gzip.compress(blob) if compress else blob)
    return path


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("compress", [True, False])
def test_legit_pickle_loads(tmp_path, protocol, compress):
    splits = make_splits()
    got = load_nielsen_pickle(write_pickle(tmp_path / "mnist.pkl.gz", splits, protocol, compress))
    assert len(got) == 3
    for (x, y), (x0, y0) in zip(got, splits):
        assert x.dtype == np.float32 and y.dtype == np.int64 and x.flags.c_contiguous
        np.testing.assert_array_equal(x, x0)
        np.testing.assert_array_equal(y, y0)


def test_python2_style_float64_and_uint8_labels_are_normalised(tmp_path):
    # Nielsen's original has float32 x and int64 y; accept other float/int widths and convert.
    splits = tuple((x.astype(np.float64), y.astype(np.uint8)) for x, y in make_splits())
    got = load_nielsen_pickle(write_pickle(tmp_path / "p.pkl.gz", splits))
    assert got[0][0].dtype == np.float32 and got[0][1].dtype == np.int64


class _Hostile:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):                  # what an attacker's pickle asks the loader to call
        return (os.system, (self.command,))


class _HostileEval:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return (eval, (self.code,))


def test_hostile_os_system_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = write_pickle(tmp_path / "evil.pkl.gz", _Hostile(f"touch {marker}"))
    with pytest.raises(DataError, match=r"refused to load .*evil\.pkl\.gz.*it asks for (posix|os|nt)\.system"):
        load_nielsen_pickle(path)
    assert not marker.exists()


def test_hostile_call_hidden_inside_valid_data_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    (tr, va, te) = make_splits()
    evil = (tr, va, (te[0], te[1], _HostileEval(f"open({str(marker)!r}, 'w')")))
    with pytest.raises(DataError, match="builtins.eval"):
        load_nielsen_pickle(write_pickle(tmp_path / "evil.pkl", evil, protocol=4, compress=False))
    assert not marker.exists()


def test_hand_written_protocol0_global_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    payload = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    (tmp_path / "p0.pkl").write_bytes(payload)
    with pytest.raises(DataError, match="os.system"):
        load_nielsen_pickle(tmp_path / "p0.pkl")
    assert not marker.exists()


def test_codecs_encode_only_for_latin1(tmp_path):
    payload = b"c_codecs\nencode\n(Vabc\nVrot13\ntR."
    (tmp_path / "codec.pkl").write_bytes(payload)
    with pytest.raises(DataError, match="latin1"):
        load_nielsen_pickle(tmp_path / "codec.pkl")


@pytest.mark.parametrize("make_bad, why", [
    (lambda s: s[:2], "tuple"),                                              # two splits
    (lambda s: list(s) + [s[0]], "tuple"),                                   # four splits
    (lambda s: {"train": s[0]}, "tuple"),                                    # a dict
    (lambda s: (s[0], s[1], (s[2][0], s[2][1], s[2][1])), "pair"),          # a triple
    (lambda s: (s[0], (s[1][0][:, :100], s[1][1]), s[2]), "784"),          # wrong width
    (lambda s: (s[0], s[1], (s[2][0], s[2][1].astype(np.float32))), "integer"),
    (lambda s: ((s[0][0], s[0][1][:-1]), s[1], s[2]), "labels"),            # length mismatch
    (lambda s: ((s[0][0] * 255, s[0][1]), s[1], s[2]), r"\[0, 1\]"),       # unscaled pixels
    (lambda s: (s[0], (s[1][0], s[1][1] + 10), s[2]), "0..9"),
    (lambda s: ((s[0][0].astype(object), s[0][1]), s[1], s[2]), "float"),   # object array
], ids=["two", "four", "dict", "triple", "width", "float-labels", "length", "range", "label-range", "object"])
def test_wrong_structure(tmp_path, make_bad, why):
    path = write_pickle(tmp_path / "bad.pkl.gz", make_bad(make_splits()), protocol=4)
    with pytest.raises(DataError, match=why):
        load_nielsen_pickle(path)


def test_not_a_pickle_and_truncated(tmp_path):
    (tmp_path / "junk").write_bytes(b"hello, this is not a pickle")
    with pytest.raises(DataError, match="not a readable pickle"):
        load_nielsen_pickle(tmp_path / "junk")
    good = gzip.compress(pickle.dumps(make_splits(), protocol=2))
    (tmp_path / "cut.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError):
        load_nielsen_pickle(tmp_path / "cut.gz")
    with pytest.raises(DataError, match="cannot read"):
        load_nielsen_pickle(tmp_path / "missing.pkl.gz")


def test_load_dataset_mnist_pkl(tmp_path, isolated_data_env):
    splits = make_splits((300, 50, 40))
    write_pickle(tmp_path / "mnist.pkl.gz", splits)
    ds = load_dataset("mnist-pkl", data_dir=tmp_path)                  # folder holding the file
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (300, 50, 40)
    np.testing.assert_array_equal(ds.x_val, splits[1][0])               # the pickle's own validation set
    assert ds.image_shape == (28, 28) and ds.n_classes == 10
    # The training rows are the pickle's, shuffled.
    assert sorted(map(bytes, ds.x_train)) == sorted(map(bytes, splits[0][0]))
    small = load_dataset("mnist-pkl", data_dir=tmp_path / "mnist.pkl.gz", train_size=100, validation_size=70)
    assert (len(small.y_train), len(small.y_val)) == (100, 70)


def test_load_dataset_mnist_pkl_missing(tmp_path, isolated_data_env):
    with pytest.raises(DataError, match="mnist.pkl.gz"):
        load_dataset("mnist-pkl", data_dir=tmp_path)
