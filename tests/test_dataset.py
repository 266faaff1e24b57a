"""load_dataset / Dataset: counts, shuffled and stratified splits, scaling, standardisation, targets."""
import gzip

import numpy as np
import pytest

from playground.core.data import DATASET_NAMES, Dataset, TargetShapeError, load_dataset
from playground.core.errors import DataError, SpecError


def raw_idx(path, header_bytes):
    """Independent reader: gunzip and skip the fixed-size header."""
    return np.frombuffer(gzip.decompress(path.read_bytes()), np.uint8, offset=header_bytes)


@pytest.fixture(scope="module")
def mnist_raw():
    from conftest import SHARED_MNIST
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"reduced MNIST not found at {SHARED_MNIST}")
    return {
        "train_x": raw_idx(SHARED_MNIST / "train-images-idx3-ubyte.gz", 16).reshape(-1, 784),
        "train_y": raw_idx(SHARED_MNIST / "train-labels-idx1-ubyte.gz", 8),
        "test_x": raw_idx(SHARED_MNIST / "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784),
        "test_y": raw_idx(SHARED_MNIST / "t10k-labels-idx1-ubyte.gz", 8),
    }


@pytest.fixture
def mnist(shared_mnist_dir, isolated_data_env):
    return lambda **kw: load_dataset("mnist", data_dir=shared_mnist_dir, allow_download=False, **kw)


def rows(x):
    return sorted(map(bytes, np.asarray(x)))


def test_names():
    assert set(DATASET_NAMES) == {"mnist", "fashion-mnist", "mnist-pkl", "xor", "circles", "gaussians",
                                  "spirals", "moons", "my-digits"}


def test_reduced_mnist_counts_and_scaling(mnist, mnist_raw):
    ds = mnist()
    assert isinstance(ds, Dataset) and ds.name == "mnist"
    assert len(ds.y_train) + len(ds.y_val) == 5000 and len(ds.y_test) == 10000
    assert len(ds.y_val) == 5000 // 6                              # default min(10000, n // 6)
    assert np.bincount(np.concatenate([ds.y_train, ds.y_val]), minlength=10).tolist() == [500] * 10
    assert ds.n_classes == 10 and ds.image_shape == (28, 28) and ds.n_in == 784
    for x, y in (ds.split("train"), ds.split("validation"), ds.split("test")):
        assert x.dtype == np.float32 and x.flags.c_contiguous and x.shape == (len(y), 784)
        assert y.dtype == np.int64
        assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_allclose(ds.x_test, mnist_raw["test_x"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.y_test, mnist_raw["test_y"])


def test_train_and_validation_partition_the_training_file(mnist, mnist_raw):
    ds = mnist()
    pooled = np.concatenate([ds.x_train, ds.x_val])
    assert rows(np.rint(pooled * 255).astype(np.uint8)) == rows(mnist_raw["train_x"])
    # Labels travel with their images.
    lookup = {bytes(r): int(l) for r, l in zip(mnist_raw["train_x"], mnist_raw["train_y"])}
    got = [lookup[bytes(r)] for r in np.rint(ds.x_val * 255).astype(np.uint8)]
    assert got == ds.y_val.tolist()


def test_validation_is_shuffled_not_the_sorted_tail(mnist):
    ds = mnist()
    counts = np.bincount(ds.y_val, minlength=10)
    assert (counts > 40).all(), counts                             # every class present, none dominant
    assert counts.max() < 140
    assert len(set(ds.y_train[:50].tolist())) >= 8                  # training order is mixed too


def test_seed_controls_the_split(mnist):
    a, b, c = mnist(seed=1), mnist(seed=1), mnist(seed=2)
    np.testing.assert_array_equal(a.y_val, b.y_val)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.y_val, c.y_val)


def test_train_size_takes_a_stratified_subset(mnist):
    ds = mnist(train_size=1000)
    assert len(ds.y_train) == 1000
    assert np.bincount(ds.y_train, minlength=10).tolist() == [100] * 10
    odd = mnist(train_size=37, validation_size=500)
    counts = np.bincount(odd.y_train, minlength=10)
    assert counts.sum() == 37 and counts.max() - counts.min() <= 1 and len(odd.y_val) == 500


def test_validation_size_zero_gives_empty_arrays(mnist):
    ds = mnist(validation_size=0)
    assert ds.x_val.shape == (0, 784) and ds.y_val.shape == (0,)
    assert len(ds.y_train) == 5000


@pytest.mark.parametrize("kw, match", [
    ({"validation_size": 5000}, "validation_size"),
    ({"validation_size": -1}, "validation_size"),
    ({"train_size": 4500}, "train_size"),              # only 5000 - 833 remain
    ({"train_size": 0}, "train_size"),
    ({"train_size": 10.5}, "whole number"),
])
def test_bad_sizes(mnist, kw, match):
    with pytest.raises(DataError, match=match):
        mnist(**kw)


def test_standardise_uses_training_statistics(mnist, mnist_raw):
    plain, ds = mnist(), mnist(standardise=True)
    assert plain.mean is None and plain.std is None and ds.standardised
    mean = plain.x_train.astype(np.float64).mean(0)
    std = plain.x_train.astype(np.float64).std(0)
    np.testing.assert_allclose(ds.mean, mean, atol=1e-6)
    varying = std > 1e-6
    np.testing.assert_allclose(ds.x_train.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(ds.x_train[:, varying].std(0), 1, atol=1e-3)
    assert (ds.std[~varying] == 1).all() and np.isfinite(ds.x_test).all()   # constant border pixels
    # The test set gets the training transform, not its own; prepare() repeats it for new inputs.
    np.testing.assert_allclose(ds.x_test * ds.std + ds.mean, plain.x_test, atol=1e-5)
    np.testing.assert_allclose(ds.prepare(mnist_raw["test_x"][:3] / 255.0), ds.x_test[:3], atol=1e-5)
    np.testing.assert_array_equal(plain.prepare(plain.x_test[:2].reshape(2, 28, 28)), plain.x_test[:2])


def test_targets_one_hot_and_binary_column():
    ds = load_dataset("moons", n_samples=100)
    one_hot = ds.targets(np.array([1, 0, 1]), 2, np.float64)
    assert one_hot.dtype == np.float64
    np.testing.assert_array_equal(one_hot, [[0, 1], [1, 0], [0, 1]])
    column = ds.targets(np.array([1, 0, 1]), 1)
    assert column.dtype == np.float32
    np.testing.assert_array_equal(column, [[1], [0], [1]])


def test_targets_mismatch_is_both_data_and_spec_error(mnist):
    ds = mnist(validation_size=0)
    np.testing.assert_array_equal(ds.targets(np.array([3]), 10)[0], np.eye(10)[3])
    for n_out in (1, 2, 11):
        with pytest.raises(TargetShapeError, match="10 classes") as err:
            ds.targets(ds.y_test[:5], n_out)
        assert isinstance(err.value, DataError) and isinstance(err.value, SpecError)
    with pytest.raises(DataError, match="labels"):
        ds.targets(np.array([10]), 10)


def test_describe(mnist):
    text = mnist(train_size=1000).describe()
    assert "1,000 train" in text and "833 validation" in text and "10,000 test" in text and "28x28" in text
    assert repr(mnist(validation_size=0)).startswith("<Dataset MNIST")


@pytest.mark.parametrize("name", ["xor", "circles", "gaussians", "spirals", "moons"])
def test_toy_splits(name):
    ds = load_dataset(name, n_samples=500, test_ratio=0.2, noise=0.05, seed=4)
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (360, 40, 100)
    assert ds.n_in == 2 and ds.n_classes == 2 and ds.image_shape is None
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert np.abs(ds.x_train).max() < 1.5
    pooled = np.concatenate([ds.x_train, ds.x_val, ds.x_test])
    assert len(np.unique(pooled, axis=0)) == 500                 # disjoint splits, nothing lost
    again = load_dataset(name, n_samples=500, test_ratio=0.2, noise=0.05, seed=4)
    np.testing.assert_array_equal(ds.x_test, again.x_test)


def test_toy_defaults_and_options():
    ds = load_dataset("xor")
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 1000 and len(ds.y_test) == 250
    assert len(load_dataset("xor", test_ratio=0.0).y_test) == 0
    assert len(load_dataset("xor", train_size=100).y_train) == 100
    assert len(load_dataset("xor", validation_size=0).y_val) == 0
    assert not np.allclose(load_dataset("xor", noise=0.0).x_train, load_dataset("xor", noise=0.3).x_train)
    for bad in (1.0, -0.1):
        with pytest.raises(DataError, match="test_ratio"):
            load_dataset("xor", test_ratio=bad)


def test_unknown_dataset():
    with pytest.raises(DataError, match="choose one of"):
        load_dataset("cifar10")


def test_fashion_mnist_from_the_debian_package(isolated_data_env):
    try:
        ds = load_dataset("fashion-mnist", allow_download=False, train_size=2000)
    except DataError as exc:
        pytest.skip(f"Fashion-MNIST not installed: {str(exc).splitlines()[0]}")
    assert len(ds.y_val) == 10000 and len(ds.y_test) == 10000 and len(ds.y_train) == 2000
    assert np.bincount(ds.y_train).tolist() == [200] * 10
    assert ds.class_names[9] == "Ankle boot" and ds.x_train.max() <= 1.0


def test_corrupt_label_file_is_reported(tmp_path, isolated_data_env):
    from playground.core.data import FILES, write_idx
    write_idx(tmp_path / FILES["train_images"], np.zeros((12, 28, 28), np.uint8))
    write_idx(tmp_path / FILES["train_labels"], np.zeros(11, np.uint8))
    write_idx(tmp_path / FILES["test_images"], np.zeros((2, 28, 28), np.uint8))
    write_idx(tmp_path / FILES["test_labels"], np.zeros(2, np.uint8))
    with pytest.raises(DataError, match="12 images but .* 11 labels"):
        load_dataset("mnist", data_dir=tmp_path, allow_download=False)
