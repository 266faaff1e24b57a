"""Model files: native .json / .npz round trips, Nielsen network2 JSON both ways, continuing
training from a loaded model, and hostile or corrupt files (always a clear ModelFileError)."""
from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

from playground.core import persist
from playground.core.data import load_dataset
from playground.core.errors import ModelFileError, SpecError
from playground.core.network import Network
from playground.core.persist import LoadedModel, load_model, save_model
from playground.core.spec import NetworkSpec, TrainConfig
from playground.core.trainer import Trainer


@pytest.fixture(scope="module")
def gaussians():
    return load_dataset("gaussians", n_samples=300, seed=2)


@pytest.fixture(scope="module")
def trained(gaussians):
    net = Network(NetworkSpec.make([2, 5, 2], "tanh"), seed=3)
    t = Trainer(net, gaussians, TrainConfig(eta=0.4, batch_size=8, epochs=2, l2=0.1))
    t.run()
    return t


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def nielsen_feedforward(weights, biases, a):
    """network2.feedforward for one column vector a."""
    for w, b in zip(weights, biases):
        a = sigmoid(np.dot(w, a) + b)
    return a


def assert_same_model(a: Network, b: Network):
    assert a.spec == b.spec and a.params.dtype == b.params.dtype
    assert np.array_equal(a.params, b.params)


# ---------------------------------------------------------------------------- native
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_native_round_trip(tmp_path, trained, suffix):
    path = save_model(tmp_path / f"m{suffix}", trained.network, trained.config, trained.history, "gaussians")
    assert path.suffix == suffix and path.exists()
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert path.stat().st_mode == plain.stat().st_mode     # usual permissions, not mkstemp's 0600
    m = load_model(path)
    assert isinstance(m, LoadedModel) and m.format == f"native-{suffix[1:]}"
    assert_same_model(m.network, trained.network)
    assert m.config == trained.config and m.history == trained.history and m.dataset_name == "gaussians"
    x = np.random.default_rng(0).normal(size=(5, 2))
    assert np.array_equal(m.network.forward(x), trained.network.forward(x))


def test_native_format_chosen_by_size(tmp_path):
    small = Network(NetworkSpec.make([4, 3, 2], "relu", dtype="float64"), seed=1)
    big = Network(NetworkSpec.make([784, 300, 10], "relu", output_activation="softmax",
                                   cost="log_likelihood"), seed=1)
    assert big.spec.n_params > persist.JSON_MAX_PARAMS
    p_small = save_model(tmp_path / "small", small)
    p_big = save_model(tmp_path / "big", big)
    assert p_small.name == "small.json" and p_big.name == "big.npz"
    assert_same_model(load_model(p_small).network, small)
    loaded = load_model(p_big)
    assert_same_model(loaded.network, big) and loaded.config is None and loaded.history == []
    with np.load(p_big, allow_pickle=False) as z:       # plain arrays, no pickle needed
        assert set(z.files) == {"meta", "params"}


def test_continue_training_from_loaded_model(tmp_path, trained, gaussians):
    path = trained.save(tmp_path / "run.json")
    t = Trainer.from_saved(path, gaussians)
    assert t.epoch == 2 and t.step == trained.step and t.samples_seen == trained.samples_seen
    assert t.config == trained.config
    assert np.array_equal(t.network.params, trained.network.params)
    assert t.run() == "done"                       # config.epochs (2) more epochs
    assert [r.epoch for r in t.history] == [1, 2, 3, 4]
    assert t.history[:2] == trained.history
    assert t.step > trained.step
    # Also from a LoadedModel, with different settings.
    t2 = Trainer.from_saved(load_model(path), gaussians, TrainConfig(eta=0.1, epochs=1))
    t2.run()
    assert [r.epoch for r in t2.history] == [1, 2, 3] and t2.history[-1].eta == 0.1


def test_save_refuses_non_finite_params(tmp_path):
    net = Network(NetworkSpec.make([2, 2], "sigmoid"), seed=1)
    net.params[0] = np.nan
    with pytest.raises(ModelFileError):
        save_model(tmp_path / "nan.json", net)
    assert not os.listdir(tmp_path)


def test_failed_save_keeps_previous_file(tmp_path, trained, monkeypatch):
    path = save_model(tmp_path / "m.npz", trained.network)
    before = path.read_bytes()

    def disk_full(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist.np, "savez", disk_full)
    with pytest.raises(ModelFileError, match="No space left"):
        save_model(path, trained.network)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]          # no temporary file left behind


# ---------------------------------------------------------------------------- Nielsen network2
def test_load_nielsen_network2_json(tmp_path):
    rng = np.random.default_rng(7)
    sizes = [4, 3, 2]
    weights = [rng.normal(size=(y, x)) for x, y in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=(y, 1)) for y in sizes[1:]]
    data = {"sizes": sizes, "weights": [w.tolist() for w in weights],
            "biases": [b.tolist() for b in biases], "cost": "QuadraticCost"}
    path = tmp_path / "network2.json"
    path.write_text(json.dumps(data))            # exactly what network2.save() writes
    m = load_model(path)
    spec = m.network.spec
    assert m.format == "nielsen" and spec.sizes == (4, 3, 2) and spec.cost == "quadratic"
    assert spec.hidden_activations == ("sigmoid",) and spec.output_activation == "sigmoid"
    x = rng.normal(size=(6, 4))
    expected = np.hstack([nielsen_feedforward(weights, biases, row.reshape(-1, 1)) for row in x]).T
    np.testing.assert_allclose(m.network.forward(x), expected, rtol=1e-12, atol=1e-14)


def test_save_as_nielsen_and_read_back(tmp_path):
    net = Network(NetworkSpec.make([3, 4, 2], "sigmoid", dtype="float32"), seed=2)
    path = save_model(tmp_path / "ours", net, format="nielsen")
    assert path.name == "ours.json"
    data = json.loads(path.read_text())
    assert set(data) == {"sizes", "weights", "biases", "cost"}
    assert data["sizes"] == [3, 4, 2] and data["cost"] == "CrossEntropyCost"
    assert [np.shape(w) for w in data["weights"]] == [(4, 3), (2, 4)]
    assert [np.shape(b) for b in data["biases"]] == [(4, 1), (2, 1)]
    np.testing.assert_array_equal(np.array(data["weights"][0]), net.weights[0].astype(np.float64))
    back = load_model(path).network                 # float64, as network2
    assert back.spec.cost == "cross_entropy"
    np.testing.assert_array_equal(back.params, net.params.astype(np.float64))
    x = np.random.default_rng(0).normal(size=(5, 3))
    expected = np.hstack([nielsen_feedforward([np.array(w) for w in data["weights"]],
                                              [np.array(b) for b in data["biases"]], r.reshape(-1, 1))
                          for r in x]).T
    np.testing.assert_allclose(back.forward(x), expected, rtol=1e-12)


def test_nielsen_refuses_what_it_cannot_describe(tmp_path):
    relu = Network(NetworkSpec.make([2, 3, 2], "relu"), seed=1)
    with pytest.raises(SpecError):
        save_model(tmp_path / "x.json", relu, format="nielsen")
    softmax = Network(NetworkSpec.make([2, 2], "sigmoid", output_activation="softmax",
                                       cost="log_likelihood"), seed=1)
    with pytest.raises(SpecError):
        save_model(tmp_path / "y.json", softmax, format="nielsen")
    assert not os.listdir(tmp_path)


# ---------------------------------------------------------------------------- hostile / corrupt
def good_nielsen():
    return {"sizes": [2, 2], "weights": [[[0.1, 0.2], [0.3, 0.4]]], "biases": [[[0.0], [1.0]]],
            "cost": "CrossEntropyCost"}


@pytest.fixture(scope="module")
def good_native(trained):
    meta = persist._meta_dict(trained.network, trained.config, trained.history, "gaussians", {"epoch": 2})
    meta["params"] = trained.network.params.tolist()
    return meta


def mutate(d, **changes):
    d = json.loads(json.dumps(d))
    for key, value in changes.items():
        if value is KeyError:
            del d[key]
        else:
            d[key] = value
    return d


def write(tmp_path, content, name="bad.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


HOSTILE_NIELSEN = {
    "cost executed by name": dict(cost="os.system"),
    "cost not a string": dict(cost=["CrossEntropyCost"]),
    "missing weights": dict(weights=KeyError),
    "missing cost": dict(cost=KeyError),
    "sizes not numbers": dict(sizes=["2", "2"]),
    "sizes bool": dict(sizes=[True, 2]),
    "sizes negative": dict(sizes=[2, -2]),
    "weights wrong shape": dict(weights=[[[0.1, 0.2, 0.3], [0.3, 0.4, 0.5]]]),
    "biases flat": dict(biases=[[0.0, 1.0]]),
    "too many layers": dict(weights=[[[0.1, 0.2], [0.3, 0.4]]] * 2),
    "ragged": dict(weights=[[[0.1, 0.2], [0.3]]]),
    "strings as numbers": dict(weights=[[["0.1", "0.2"], ["0.3", "0.4"]]]),
    "null in weights": dict(weights=[[[None, 0.2], [0.3, 0.4]]]),
    "huge sizes": dict(sizes=[1_000_000, 1_000_000, 10]),
    "huge integer": dict(weights=[[[10**400, 0.2], [0.3, 0.4]]]),
}


@pytest.mark.parametrize("case", list(HOSTILE_NIELSEN))
def test_hostile_nielsen_json(tmp_path, case):
    path = write(tmp_path, mutate(good_nielsen(), **HOSTILE_NIELSEN[case]))
    with pytest.raises(ModelFileError):
        load_model(path)


HOSTILE_NATIVE = {
    "unknown format": dict(format="someone-elses"),
    "newer version": dict(version=99),
    "version as text": dict(version="1"),
    "missing params": dict(params=KeyError),
    "missing spec": dict(spec=KeyError),
    "spec not object": dict(spec=[2, 5, 2]),
    "params wrong length": dict(params=[0.0] * 3),
    "params nested": dict(params=[[0.0]]),
    "params strings": dict(params="0.1 0.2"),
    "params beyond float32": dict(params=[1e300] * 27),
    "bad activation": dict(spec={"sizes": [2, 5, 2], "hidden_activations": ["rm -rf"]}),
    "unknown spec key": dict(spec={"sizes": [2, 2], "hidden_activations": [], "__class__": "os"}),
    "huge spec": dict(spec={"sizes": [1_000_000, 1_000_000], "hidden_activations": []}),
    "config wrong type": dict(config={"eta": "fast"}),
    "config invalid": dict(config={"eta": -1}),
    "history not list": dict(history={"epoch": 1}),
    "history wrong fields": dict(history=[{"epoch": 1}]),
    "history text values": dict(history=[{"epoch": 1, "training_loss": "low", "training_accuracy": None,
                                          "validation_loss": None, "validation_accuracy": None,
                                          "test_loss": None, "test_accuracy": None, "eta": 1, "seconds": 1}]),
    "extras not object": dict(extras=[1, 2]),
    "dataset name not text": dict(dataset_name=5),
}


@pytest.mark.parametrize("case", list(HOSTILE_NATIVE))
def test_hostile_native_json(tmp_path, good_native, case):
    path = write(tmp_path, mutate(good_native, **HOSTILE_NATIVE[case]))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_unchanged_native_fixture_loads(tmp_path, good_native):
    """The hostile cases above are one change away from a file that loads."""
    assert load_model(write(tmp_path, good_native)).extras == {"epoch": 2}


@pytest.mark.parametrize("content", [
    b"", b"{", b'{"sizes": [2, 2], "weights": [[[0.1, 0.2], [0.3',          # truncated
    b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'"just a string"', b"null",
    b'{"sizes": [2, 2], "weights": [[[NaN, 0.2], [0.3, 0.4]]], "biases": [[[0.0], [1.0]]], '
    b'"cost": "CrossEntropyCost"}',
    b'{"sizes": [2, 2], "weights": [[[Infinity, 0.2], [0.3, 0.4]]], "biases": [[[0.0], [1.0]]], '
    b'"cost": "CrossEntropyCost"}',
    b'{"sizes": [2, 2], "weights": [[[1e400, 0.2], [0.3, 0.4]]], "biases": [[[0.0], [1.0]]], '
    b'"cost": "CrossEntropyCost"}',                                          # parses to inf
    b"[" * 100_000 + b"]" * 100_000,                                          # recursion bomb
    b'{"hello": "world"}',
])
def test_corrupt_json(tmp_path, content):
    with pytest.raises(ModelFileError):
        load_model(write(tmp_path, content))


def test_truncated_native_json(tmp_path, trained):
    path = save_model(tmp_path / "m.json", trained.network, trained.config, trained.history)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "nope.json")


# ---------------------------------------------------------------------------- hostile npz
def npz_bytes(**members) -> bytes:
    """A zip of .npy members; values are arrays (written with np.save) or raw bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            if isinstance(value, bytes):
                zf.writestr(name, value)
            else:
                member = io.BytesIO()
                np.save(member, value, allow_pickle=True)
                zf.writestr(name, member.getvalue())
    return buf.getvalue()


@pytest.fixture(scope="module")
def small_npz_parts(trained):
    meta = persist._meta_dict(trained.network, None, [], None, None)
    meta_arr = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return meta, meta_arr, trained.network.params.copy()


def test_npz_fixture_loads(tmp_path, small_npz_parts, trained):
    _, meta_arr, params = small_npz_parts
    path = write(tmp_path, npz_bytes(**{"meta.npy": meta_arr, "params.npy": params}), "ok.npz")
    assert_same_model(load_model(path).network, trained.network)


def test_npz_refuses_object_arrays(tmp_path, small_npz_parts):
    _, meta_arr, params = small_npz_parts
    objects = np.array([print, "x"], dtype=object)
    for members in ({"meta.npy": meta_arr, "params.npy": objects},
                    {"meta.npy": objects, "params.npy": params}):
        path = write(tmp_path, npz_bytes(**members), "obj.npz")
        with pytest.raises(ModelFileError):
            load_model(path)


def test_npz_refuses_zip_bomb(tmp_path, small_npz_parts):
    """A member declaring ~64 MB of zeros (a few KB compressed) is refused from its ZipInfo alone."""
    _, meta_arr, _ = small_npz_parts
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (16_000_000,)})
    bomb = header.getvalue() + bytes(64_000_000)
    path = write(tmp_path, npz_bytes(**{"meta.npy": meta_arr, "params.npy": bomb}), "bomb.npz")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ModelFileError, match="unpack"):
        load_model(path)


@pytest.mark.parametrize("case", ["shape", "dtype", "fortran", "truncated", "missing", "meta_json",
                                  "meta_dtype", "huge_spec", "nan"])
def test_npz_corrupt(tmp_path, small_npz_parts, case):
    meta, meta_arr, params = small_npz_parts
    members = {"meta.npy": meta_arr, "params.npy": params}
    if case == "shape":
        members["params.npy"] = np.concatenate([params, params])
    elif case == "dtype":
        members["params.npy"] = params.astype(np.int32)
    elif case == "fortran":
        members["params.npy"] = np.asfortranarray(np.zeros((2, params.size // 2 + 1), np.float32))
    elif case == "truncated":
        buf = io.BytesIO()
        np.save(buf, params)
        members["params.npy"] = buf.getvalue()[:-8]
    elif case == "missing":
        del members["params.npy"]
    elif case == "meta_json":
        members["meta.npy"] = np.frombuffer(b'{"format": "nn-pl', dtype=np.uint8)
    elif case == "meta_dtype":
        members["meta.npy"] = np.array([1.0, 2.0])
    elif case == "huge_spec":
        huge = dict(meta, spec={**meta["spec"], "sizes": [1_000_000, 1_000_000]})
        members["meta.npy"] = np.frombuffer(json.dumps(huge).encode(), dtype=np.uint8)
    elif case == "nan":
        members["params.npy"] = np.full_like(params, np.nan)
    path = write(tmp_path, npz_bytes(**members), f"{case}.npz")
    with pytest.raises(ModelFileError):
        load_model(path)


def test_npz_truncated_archive(tmp_path, trained):
    path = save_model(tmp_path / "m.npz", trained.network)
    raw = path.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 30, 10):
        path.write_bytes(raw[:cut])
        with pytest.raises(ModelFileError):
            load_model(path)
