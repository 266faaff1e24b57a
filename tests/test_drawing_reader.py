"""Which network reads a drawing, a whole reading, and the model-file fields that make any saved
model read drawings as it read its training data (input transform, class names, provenance)."""
import json

import numpy as np
import pytest

from playground.core.data.dataset import CLASS_NAMES, Dataset
from playground.core.drawing import fits, read, reader_for
from playground.core.drawing.reader import Reader
from playground.core.errors import ModelFileError
from playground.core.network import Network
from playground.core.persist import load_model, save_model
from playground.core.spec import NetworkSpec
from playground.core.trainer import Trainer
from playground.core.transform import InputTransform


def digit_net(sizes="784,12,10", **kw):
    return Network(NetworkSpec.make(sizes, "relu", output_activation="softmax", cost="log_likelihood", **kw), seed=2)


def image_dataset(name="fashion-mnist", standardise=True):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (20, 784)).astype(np.float32)
    y = np.arange(20) % 10
    mean = x.mean(axis=0) if standardise else None
    std = x.std(axis=0) + 0.1 if standardise else None
    return Dataset(name, x, y, x[:0], y[:0], x, y, 10, (28, 28), CLASS_NAMES[name], mean, std)


def fallback():
    return Reader(digit_net(), InputTransform(), title="the shipped digit model")


def test_the_trained_network_reads_when_it_is_784_to_10_and_says_what_it_knows():
    net = digit_net()
    r = reader_for(net, image_dataset("fashion-mnist"), fallback)
    assert r.network is net and r.why == "" and "Fashion-MNIST garments" in r.title
    assert r.class_names[0] == "T-shirt/top" and r.transform.mean is not None
    assert "MNIST digits" in reader_for(net, image_dataset("mnist", False), fallback).title


@pytest.mark.parametrize("sizes, says", [("2,8,1", "takes 2 inputs"), ("784,20,5", "has 5 outputs"),
                                         ("100,10", "takes 100 inputs")])
def test_any_other_network_hands_over_to_the_shipped_model_and_says_why(sizes, says):
    net = Network(NetworkSpec.make(sizes, "tanh"), seed=1)
    assert says in fits(net)
    r = reader_for(net, None, fallback)
    assert r.network is not net and r.title == "the shipped digit model" and says in r.why
    assert "no network yet" in reader_for(None, None, fallback).why


def test_a_reading_has_probabilities_evidence_and_hidden_layers_or_a_reason():
    r = fallback()
    ink = np.zeros((280, 280), np.float32)
    assert read(r, ink).probabilities is None and "blank" in read(r, ink).reason
    ink[40:240, 120:150] = 1
    reading = read(r, ink)
    assert reading.reason is None
    assert reading.probabilities.sum() == pytest.approx(1.0) and reading.top != reading.runner_up
    assert reading.probabilities[reading.top] == reading.probabilities.max()
    assert reading.evidence.shape == (2, 28, 28) and [h.shape for h in reading.hidden] == [(12,)]
    assert np.all(reading.evidence[:, reading.prep.pixels == 0] == 0)


def test_sigmoid_outputs_are_shown_as_shares_that_sum_to_one():
    net = Network(NetworkSpec.make("784,10", "sigmoid"), seed=1)
    ink = np.zeros((50, 50), np.float32)
    ink[5:45, 20:30] = 1
    p = read(Reader(net, InputTransform()), ink).probabilities
    assert p.sum() == pytest.approx(1.0) and np.all(p > 0)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_model_files_keep_transform_class_names_and_provenance(tmp_path, suffix):
    ds = image_dataset()
    net = digit_net()
    path = save_model(tmp_path / f"m{suffix}", net, input_transform=InputTransform.from_dataset(ds),
                      class_names=ds.class_names, provenance={"seed": 4, "held_out_accuracy": 0.97})
    m = load_model(path)
    assert m.class_names == ds.class_names and m.provenance == {"seed": 4, "held_out_accuracy": 0.97}
    np.testing.assert_array_equal(m.input_transform.mean, ds.mean)
    np.testing.assert_array_equal(m.input_transform.std, ds.std)
    assert m.input_transform.image_shape == (28, 28)


def test_trainer_save_records_the_datasets_transform(tmp_path):
    ds = image_dataset("mnist")
    m = load_model(Trainer(digit_net(), ds).save(tmp_path / "t.json"))
    assert m.class_names == tuple("0123456789")
    np.testing.assert_array_equal(m.input_transform.std, ds.std)


def test_files_without_the_new_fields_still_load(tmp_path):
    m = load_model(save_model(tmp_path / "old.json", digit_net()))
    assert m.input_transform is None and m.class_names is None and m.provenance is None


@pytest.mark.parametrize("field, value, says", [
    ("class_names", ["a", "b"], "list of 10"),
    ("class_names", [1] * 10, "list of 10"),
    ("input", {"image_shape": [20, 20]}, "does not match"),
    ("input", {"image_shape": [28, 28], "mean": [0.0] * 784}, "both mean and std"),
    ("input", {"image_shape": [28, 28], "mean": [0.0] * 3, "std": [1.0] * 3}, "list of 784"),
    ("input", {"image_shape": [28, 28], "mean": [0.0] * 784, "std": [0.0] * 784}, "positive"),
    ("input", {"image_shape": [28, 28], "pixel_range": [0, 255]}, "pixel_range"),
    ("input", "28x28", "not an object"),
    ("provenance", [1, 2], "not an object"),
])
def test_bad_new_fields_are_refused_with_a_reason(tmp_path, field, value, says):
    path = save_model(tmp_path / "m.json", digit_net())
    d = json.loads(path.read_text())
    d[field] = value
    path.write_text(json.dumps(d))
    with pytest.raises(ModelFileError, match=says):
        load_model(path)


def test_a_diverged_network_gives_a_reason_not_nan_bars():
    net = digit_net()
    net.params[5] = np.nan
    ink = np.zeros((60, 60), np.float32)
    ink[5:55, 25:32] = 1
    r = read(Reader(net, InputTransform()), ink)
    assert r.probabilities is None and "diverged" in r.reason
