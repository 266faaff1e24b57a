"""Twin runs (core/compare.py) and the Trainer's twin checks: parsing --vary, twins that differ in
exactly one setting, the start hashes against hashes computed here from the seed, and the
per-layer gradient norms against the numpy reference network (tests/reference.py)."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from playground.core.compare import (VARIABLE, Twin, init_sha256, parse_vary, run_twins, start_note, twins,
                                     twins_from_overrides)
from playground.core.data import load_dataset
from playground.core.errors import SpecError
from playground.core.network import Network
from playground.core.runspec import RunSpec
from playground.core.spec import NetworkSpec, TrainConfig
from playground.core.trainer import Trainer
from reference import ReferenceNet


@pytest.fixture(scope="module")
def base():
    return RunSpec.from_settings({"dataset": "circles", "hidden": [6], "activation": "tanh", "epochs": 2,
                                  "n_samples": 200, "optimizer": "sgd", "eta": 0.3})


# ---------------------------------------------------------------------------- parse_vary
@pytest.mark.parametrize("text, key, values", [
    ("activation=sigmoid,relu", "activation", ["sigmoid", "relu"]),
    ("eta=0.025,0.25,2.5", "eta", [0.025, 0.25, 2.5]),
    ("hidden=30,30-30", "hidden", [(30,), (30, 30)]),
    ("hidden=none,8", "hidden", [(), (8,)]),
    ("cost=quadratic,cross-entropy", "cost", ["quadratic", "cross_entropy"]),
    ("init=large,default", "weight_init", ["large", "default"]),
    ("optimiser=SGD,momentum,nesterov,adam", "optimizer", ["sgd", "momentum", "nesterov", "adam"]),
    ("batch=10,100", "batch_size", [10, 100]),
    ("l2=0,5", "l2", [0.0, 5.0]),
    (" dropout = 0 , 0.5 ", "dropout", [0.0, 0.5]),
])
def test_parse_vary_reads_every_kind_of_value(text, key, values):
    assert parse_vary(text) == (key, values)
    assert key in VARIABLE


@pytest.mark.parametrize("text, message", [
    ("activation", "must look like KEY=V1,V2"),
    ("colour=red,blue", "Cannot vary 'colour'"),
    ("activaton=sigmoid,relu", "did you mean activation"),
    ("activation=sigmoid", "gives one value"),
    ("eta=1,2,3,4,5", "gives 5 values: at most 4"),
    ("eta=0.1,,0.2", "empty value"),
    ("eta=0.1,fast", "'fast' is not a number"),
    ("eta=0.1,-1", "must be positive"),
    ("eta=0.1,nan", "finite"),
    ("activation=sigmoid,relux", "did you mean relu"),
    ("hidden=30,30-x", "'x' in '30-x' is not a number"),
    ("hidden=30,0.5", "whole number"),
    ("batch=10,2.5", "whole number"),
    ("dropout=0,1", "below 1"),
    ("eta=0.5,0.50", "η 0.5 is given twice: every twin needs a different learning rate"),
])
def test_parse_vary_refuses_with_a_specific_message(text, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_vary(text)


# ---------------------------------------------------------------------------- twins
def test_twins_change_exactly_one_setting_and_name_it(base):
    ts = twins(base, "activation", ["sigmoid", "relu"])
    assert [t.label for t in ts] == ["sigmoid", "ReLU"]
    assert [t.spec.network.hidden_activations for t in ts] == [("sigmoid",), ("relu",)]
    for t in ts:
        assert isinstance(t, Twin) and t.spec.seed == base.seed
        assert t.spec.train == base.train and t.spec.data == base.data
        assert t.spec.network.sizes == base.network.sizes and t.spec.network.cost == base.network.cost

    assert [t.label for t in twins(base, "eta", [0.025, "2.5"])] == ["η 0.025", "η 2.5"]
    assert [t.label for t in twins(base, "batch", [10, 100])] == ["batch 10", "batch 100"]
    hidden = twins(base, "hidden", ["30", "30-30"])
    assert [t.label for t in hidden] == ["30 hidden", "30-30 hidden"]
    assert [t.spec.network.sizes for t in hidden] == [(2, 30, 2), (2, 30, 30, 2)]
    assert [t.overrides for t in hidden] == [{"hidden": (30,)}, {"hidden": (30, 30)}]


def test_a_per_layer_activation_list_gives_way_to_the_varied_activation():
    mixed = RunSpec.from_settings({"dataset": "circles", "hidden": [4, 4], "hidden_activations": ["relu", "tanh"]})
    ts = twins(mixed, "activation", ["sigmoid", "elu"])
    assert [t.spec.network.hidden_activations for t in ts] == [("sigmoid", "sigmoid"), ("elu", "elu")]


def test_an_invalid_twin_says_which(base):
    with pytest.raises(SpecError, match="twin with sigmoid output is not a valid run"):
        twins(base, "output", ["softmax", "sigmoid"])     # log-likelihood needs softmax
    with pytest.raises(SpecError, match="2 to 4 values"):
        twins(base, "eta", [0.1])
    with pytest.raises(SpecError, match="η 0.1 is given twice"):
        twins(base, "eta", [0.1, "0.10"])


def test_twins_that_would_train_alike_are_refused(base):
    with pytest.raises(SpecError, match="momentum only matters"):
        twins(base, "momentum", [0.5, 0.9])             # the base run uses SGD
    with pytest.raises(SpecError, match="bias initialisation constant"):
        twins(base, "bias_value", [0.1, 0.2])


def test_twins_from_overrides_several_settings_at_once(base):
    ts = twins_from_overrides(base, [{"activation": "sigmoid", "init": "large"},
                                     {"activation": "relu", "weight_init": "he"}, {}])
    assert [t.label for t in ts] == ["sigmoid, N(0,1) init", "ReLU, He init", "as set"]
    assert ts[2].spec == base
    assert ts[1].spec.network.weight_init == "he" and ts[1].spec.network.hidden_activations == ("relu",)
    named = twins_from_overrides(base, [{"eta": 0.1}, {"eta": 0.1}, {"epochs": 5}], labels=["a", "a", "b"])
    assert [t.label for t in named] == ["a", "a (2)", "b"]
    assert named[2].spec.epochs == 5
    with pytest.raises(SpecError, match="Unknown setting 'colour'"):
        twins_from_overrides(base, [{"colour": 1}])
    with pytest.raises(SpecError, match="2 labels for 1 twins"):
        twins_from_overrides(base, [{}], labels=["a", "b"])
    with pytest.raises(SpecError, match="twin 'x' is not a valid run"):
        twins_from_overrides(base, [{"output": "sigmoid"}], labels=["x"])


def test_start_note_says_when_twins_cannot_start_alike(base):
    assert start_note(twins(base, "activation", ["sigmoid", "relu"])) == ""
    assert start_note(twins(base, "eta", [0.1, 1.0])) == ""
    assert start_note(twins(base, "batch", [10, 50])) == ""
    note = start_note(twins(base, "hidden", ["30", "30-30"]))
    assert "different initial weights" in note and "layer sizes differ" in note and "order" not in note
    note = start_note(twins(base, "init", ["large", "he"]))
    assert "weight initialisations differ" in note
    note = start_note(twins_from_overrides(base, [{}, {"seed": 2}]))
    assert "seeds differ" in note and "different mini-batch order" in note


# ---------------------------------------------------------------------------- start hashes
def test_init_hash_is_the_sha256_of_the_initial_parameters(base):
    a, b = (t.spec.build_network() for t in twins(base, "activation", ["sigmoid", "relu"]))
    assert init_sha256(a) == init_sha256(b) == hashlib.sha256(a.params.astype("<f4").tobytes()).hexdigest()
    c, d = (t.spec.build_network() for t in twins(base, "hidden", ["6", "7"]))
    assert init_sha256(c) == init_sha256(a) != init_sha256(d)   # hidden 6 is the base run itself
    a.params[0] += 1
    assert init_sha256(a) != init_sha256(b)


@pytest.fixture(scope="module")
def points():
    """60 points to train on."""
    return load_dataset("gaussians", n_samples=80, noise=0.05, seed=4, test_ratio=0.25, validation_size=0)


def test_order_hash_covers_every_epoch_order_used(points):
    seed = 7
    trainer = Trainer(Network(NetworkSpec.make([2, 3, 2], "tanh"), seed=seed), points,
                      TrainConfig(epochs=2, seed=seed, batch_size=10), probe_every=None)
    assert trainer.order_sha256 == hashlib.sha256().hexdigest()      # nothing trained yet
    rng = np.random.default_rng(seed)      # what the order should be: the seed's permutations
    perms = [rng.permutation(trainer.n_train).astype("<i8").tobytes() for _ in range(3)]
    trainer.step_batches(1)
    assert trainer.order_sha256 == hashlib.sha256(perms[0]).hexdigest()
    trainer.run()
    assert trainer.order_sha256 == hashlib.sha256(perms[0] + perms[1]).hexdigest()
    trainer.step_batches(1)
    assert trainer.order_sha256 == hashlib.sha256(b"".join(perms)).hexdigest()


def reference_grad_norms(net, data, *, epochs, batch_size, eta, seed):
    """Per-layer weight-gradient norms of the numpy reference network trained with SGD on the
    seed's batch order, starting from ``net``'s weights, averaged over every mini-batch."""
    sizes, spec = list(net.spec.sizes), net.spec
    ref = ReferenceNet(sizes, spec.hidden_activations, spec.output_activation, spec.cost, net.weights, net.biases)
    x = data.x_train.astype(np.float64)
    y = data.targets(np.asarray(data.y_train), sizes[-1], np.float64)
    rng = np.random.default_rng(seed)
    norms = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        _, n, per_batch = ref.train_chunk(x, y, order, 0, len(x), batch_size=batch_size, optimizer="sgd",
                                          n_train=len(x), eta=eta)
        assert n == len(x)
        norms += [w for w, _ in per_batch]
    return np.mean(norms, axis=0), len(norms), ref


def test_mean_grad_norms_match_the_reference_network(points):
    """Two epochs of SGD in float64, batch 8 (60 points: a short last batch each epoch)."""
    spec = NetworkSpec.make([2, 5, 4, 2], "sigmoid", output_activation="sigmoid", cost="cross_entropy",
                            dtype="float64")
    net = Network(spec, seed=3)
    expected, n_batches, ref = reference_grad_norms(net, points, epochs=2, batch_size=8, eta=0.5, seed=3)
    trainer = Trainer(net, points, TrainConfig(eta=0.5, batch_size=8, epochs=2, seed=3), probe_every=None)
    assert np.all(np.isnan(trainer.mean_grad_w_norm))
    trainer.step_batches(3)       # chunks of 3, 5 and 8 batches: the mean must weigh them by batches
    assert trainer.run() == "done"
    assert n_batches == 16 and expected.shape == (3,)
    np.testing.assert_allclose(trainer.mean_grad_w_norm, expected, rtol=1e-9)
    np.testing.assert_allclose(trainer.network.params, ref.params, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------- run_twins
@pytest.fixture(scope="module")
def run_base():
    """Dropout on, so identical twins must also draw identical dropout masks."""
    return RunSpec.from_settings({"dataset": "circles", "n_samples": 200, "hidden": [6, 6], "activation": "tanh",
                                  "epochs": 3, "optimizer": "sgd", "eta": 0.3, "dropout": 0.1,
                                  "validation_size": 0, "seed": 5})


def curves(run: dict) -> list[dict]:
    return [{k: v for k, v in h.items() if k != "seconds"} for h in run["history"]]


def seed_orders_sha256(seed: int, n_train: int, epochs: int) -> str:
    rng = np.random.default_rng(seed)
    return hashlib.sha256(b"".join(rng.permutation(n_train).astype("<i8").tobytes()
                                   for _ in range(epochs))).hexdigest()


FIELDS = {"label", "config", "history", "test_accuracy", "grad_norms", "init_sha256", "order_sha256", "seconds",
          "samples_seen", "state"}


def test_identical_twins_give_bit_identical_histories(run_base):
    a, b = run_twins(twins_from_overrides(run_base, [{}, {}]))
    assert FIELDS <= set(a)
    assert a["state"] == b["state"] == "done" and len(a["history"]) == 3
    assert curves(a) == curves(b)
    assert a["grad_norms"] == b["grad_norms"] and len(a["grad_norms"]) == 3
    assert a["test_accuracy"] == a["history"][-1]["test_accuracy"] is not None
    assert a["samples_seen"] == 3 * 150 and a["seconds"] > 0
    assert a["config"] == run_base.to_dict()


def test_eta_twins_share_their_start_and_learn_differently(run_base):
    data = run_base.load_dataset()
    slow, fast = run_twins(twins(run_base, "eta", [0.05, 1.0]), dataset=data, epochs=2)
    assert slow["init_sha256"] == fast["init_sha256"] == init_sha256(run_base.build_network())
    assert slow["order_sha256"] == fast["order_sha256"] == seed_orders_sha256(5, len(data.y_train), 2)
    assert curves(slow) != curves(fast) and len(curves(slow)) == 2
    assert [r["config"]["train"]["eta"] for r in (slow, fast)] == [0.05, 1.0]


def test_activation_twins_share_their_start_too(run_base):
    ts = twins(run_base, "activation", ["sigmoid", "relu"])
    assert start_note(ts) == ""
    a, b = run_twins(ts, epochs=1)
    assert a["init_sha256"] == b["init_sha256"] and a["order_sha256"] == b["order_sha256"]
    assert curves(a) != curves(b)


def test_hidden_twins_say_they_start_differently(run_base):
    ts = twins(run_base, "hidden", ["6-6", "12"])
    assert "layer sizes differ" in start_note(ts)
    a, b = run_twins(ts, epochs=1)
    assert a["init_sha256"] != b["init_sha256"] and a["order_sha256"] == b["order_sha256"]
    assert len(a["grad_norms"]) == 3 and len(b["grad_norms"]) == 2


def test_run_twins_grad_norms_match_the_reference_network(points):
    base = RunSpec.from_settings({"dataset": "gaussians", "n_samples": 80, "test_ratio": 0.25, "validation_size": 0,
                                  "hidden": [5], "activation": "sigmoid", "output": "sigmoid",
                                  "cost": "cross_entropy", "dtype": "float64", "optimizer": "sgd",
                                  "eta": 0.5, "batch_size": 8, "seed": 3, "epochs": 2})
    ts = twins(base, "eta", [0.5, 2.0])
    runs = run_twins(ts, dataset=points)
    for twin, run in zip(ts, runs):
        expected, _, _ = reference_grad_norms(twin.spec.build_network(), points, epochs=2, batch_size=8,
                                              eta=twin.spec.train.eta, seed=3)
        np.testing.assert_allclose(run["grad_norms"], expected, rtol=1e-9)
    assert runs[0]["grad_norms"] != runs[1]["grad_norms"]


def test_a_run_until_stopped_needs_epochs(run_base):
    ts = twins(run_base.with_epochs(None), "eta", [0.1, 0.2])
    with pytest.raises(SpecError, match="until stopped"):
        run_twins(ts)
