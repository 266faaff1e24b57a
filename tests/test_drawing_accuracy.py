"""The shipped model reads drawings: MNIST digits blown up to canvas size survive the pipeline,
and digits drawn by code as a person draws them (tests/drawn_digits.py) are read correctly,
while the same drawings shrunk whole to 28x28 (preprocessing off) are not: the lesson."""
import numpy as np
import pytest
from PIL import Image

from playground.core.data import read_idx
from playground.core.drawing import preprocess, shipped_reader
from playground.digits.make_model import split_test

N_ROUND_TRIP = 1000


@pytest.fixture(scope="module")
def reader():
    return shipped_reader()


def test_shipped_model_records_where_it_came_from(reader):
    from playground.core.drawing import SHIPPED_MODEL
    from playground.core.persist import load_model
    m = load_model(SHIPPED_MODEL)
    assert SHIPPED_MODEL.stat().st_size < 5 * 1024**2
    assert m.class_names == tuple("0123456789") and m.input_transform.image_shape == (28, 28)
    prov = m.provenance
    assert prov["held_out_accuracy"] >= 0.96 and prov["held_out_digits"] >= 5000
    for key in ("data", "seed", "augmentation", "made_by"):
        assert key in prov
    assert {"rotate", "elastic_alpha", "thicken_share", "thin_share", "aspect", "shift"} <= set(prov["augmentation"])


def test_mnist_digits_at_canvas_size_keep_their_accuracy_through_the_pipeline(reader, shared_mnist_dir):
    images = read_idx(shared_mnist_dir / "t10k-images-idx3-ubyte.gz", ndim=3)
    labels = read_idx(shared_mnist_dir / "t10k-labels-idx1-ubyte.gz", ndim=1).astype(np.int64)
    _, held = split_test(labels, seed=1)          # digits the shipped model never trained on
    held = held[:: len(held) // N_ROUND_TRIP][:N_ROUND_TRIP]
    raw = images[held].reshape(len(held), -1).astype(np.float32) / 255
    net = reader.network
    raw_acc = np.mean(np.argmax(net.forward(reader.transform.apply(raw)), axis=1) == labels[held])
    piped = []
    for img in images[held]:
        canvas = np.asarray(Image.fromarray(img).resize((280, 280), Image.Resampling.BILINEAR), np.float32) / 255
        piped.append(preprocess(canvas).pixels.ravel())
    pipe_acc = np.mean(np.argmax(net.forward(reader.transform.apply(np.array(piped))), axis=1) == labels[held])
    print(f"\nheld-out MNIST digits: raw {100 * raw_acc:.1f} %, upscaled to 280x280 and preprocessed "
          f"{100 * pipe_acc:.1f} % ({len(held)} digits)")
    assert raw_acc >= 0.96
    assert abs(pipe_acc - raw_acc) <= 0.02
