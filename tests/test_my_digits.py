"""My digits: drawings kept in the user data folder, read back as a dataset, exported as IDX;
a folder that cannot be written fails clearly and loses nothing."""
import json
import os

import numpy as np
import pytest

from playground.core.data import load_dataset, read_idx
from playground.core.drawing.mydigits import MyDigits, MyDigitsError
from playground.core.errors import DataError


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "my-digits"
    monkeypatch.setenv("NN_PLAYGROUND_MY_DIGITS", str(folder))
    return MyDigits()


def digit(k):
    a = np.zeros((28, 28), np.float32)
    a[4:24, 10 + k % 5: 13 + k % 5] = (k + 1) / 10
    return a


def test_drawings_round_trip_with_their_strokes(store):
    strokes = [[(0.1, 0.2, 0.06), (0.5, 0.9, 0.06)]]
    path = store.add(3, digit(3), strokes, canvas_side=400)
    assert path.parent == store.folder and path.name.startswith("3-")
    store.add(7, digit(7))
    x, y, problems = store.load()
    assert problems == [] and sorted(y.tolist()) == [3, 7]
    np.testing.assert_allclose(x[y == 3][0].reshape(28, 28), digit(3), atol=0.5 / 255)
    saved = json.loads(path.read_text())
    assert saved["strokes"] == [[[0.1, 0.2, 0.06], [0.5, 0.9, 0.06]]] and saved["canvas_side"] == 400
    assert store.counts().tolist() == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    with pytest.raises(MyDigitsError, match="0 to 9"):
        store.add(10, digit(1))


def test_a_damaged_file_is_skipped_and_named(store):
    store.add(1, digit(1))
    (store.folder / "5-broken.json").write_text("{not json")
    (store.folder / "6-wrong.json").write_text(json.dumps({"label": 6, "pixels": [300] * 784}))
    x, y, problems = store.load()
    assert y.tolist() == [1] and len(problems) == 2 and "5-broken.json" in problems[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_an_unwritable_folder_is_a_clear_error_and_keeps_what_is_there(store):
    store.add(2, digit(2))
    before = sorted(p.name for p in store.folder.iterdir())
    store.folder.chmod(0o500)
    try:
        with pytest.raises(MyDigitsError, match="Cannot keep the drawing in .*still on the canvas"):
            store.add(4, digit(4))
    finally:
        store.folder.chmod(0o700)
    assert sorted(p.name for p in store.folder.iterdir()) == before


def test_a_folder_that_is_a_file_is_a_clear_error_for_root_too(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    with pytest.raises(MyDigitsError, match=f"Cannot keep the drawing in {blocker}"):
        MyDigits(blocker / "my-digits").add(1, digit(1))
    assert blocker.read_text() == "I am a file"


def test_export_writes_mnist_style_idx_files(store, tmp_path):
    with pytest.raises(MyDigitsError, match="no drawings"):
        store.export_idx(tmp_path)
    for k in (0, 5, 9):
        store.add(k, digit(k))
    images, labels = store.export_idx(tmp_path)
    assert images.name == "my-digits-images-idx3-ubyte.gz"
    imgs, labs = read_idx(images, ndim=3), read_idx(labels, ndim=1)
    assert imgs.shape == (3, 28, 28) and imgs.dtype == np.uint8 and sorted(labs.tolist()) == [0, 5, 9]
    k = int(np.flatnonzero(labs == 5)[0])
    np.testing.assert_array_equal(imgs[k], np.rint(digit(5) * 255).astype(np.uint8))


def test_my_digits_as_a_dataset_mixed_with_mnist(store, shared_mnist_dir):
    with pytest.raises(DataError, match="add some on the Draw page"):
        load_dataset("my-digits", data_dir=shared_mnist_dir)
    for k in range(10):
        store.add(k, digit(k))
    ds = load_dataset("my-digits", data_dir=shared_mnist_dir, validation_size=500)
    assert len(ds.y_test) == 5 and len(ds.y_train) == 4500 + 5 and len(ds.y_val) == 500
    assert ds.class_names == tuple("0123456789") and ds.image_shape == (28, 28)
    mine_in_train = {tuple(np.rint(r * 255)) for r in ds.x_train[-5:]}
    assert not any(tuple(np.rint(r * 255)) in mine_in_train for r in ds.x_test)     # held out


def test_my_digits_without_mnist_trains_on_half_of_them(store, isolated_data_env, tmp_path):
    for k in range(6):
        store.add(k, digit(k))
    ds = load_dataset("my-digits", data_dir=tmp_path / "nothing-here")
    assert len(ds.y_train) == 3 and len(ds.y_test) == 3 and "MNIST not found" in ds.source
