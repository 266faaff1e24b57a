"""NetworkSpec / TrainConfig refuse nonsense with a message that says why and what to choose."""
import itertools

import numpy as np
import pytest

from playground.core.activations import ACTIVATIONS
from playground.core.errors import SpecError
from playground.core.spec import (
    COSTS,
    HIDDEN_ACTIVATIONS,
    MAX_BYTES,
    OUTPUT_ACTIVATIONS,
    NetworkSpec,
    TrainConfig,
    parse_sizes,
)


@pytest.mark.parametrize("text, sizes", [("784,30,10", (784, 30, 10)), (" 2, 4 ,1", (2, 4, 1)),
                                         ([784, 30, 30, 30, 30, 10], (784, 30, 30, 30, 30, 10))])
def test_sizes_parse(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize("bad, words", [
    ("784,0,10", "not positive"), ("784,-3,10", "not positive"), ("784,a,10", "not a number"),
    ("784,3.5,10", "whole number"), ("784,,10", "empty"), ("784,inf,10", "whole number"), ("784", "at least"),
])
def test_bad_sizes_are_refused_with_reason(bad, words):
    with pytest.raises(SpecError, match=words):
        NetworkSpec.make(bad)


def test_every_combination_is_either_accepted_or_explained():
    accepted = set()
    for hidden, out, cost in itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, COSTS):
        try:
            NetworkSpec.make("4,3,2", hidden, output_activation=out, cost=cost)
            accepted.add((out, cost))
        except SpecError as e:
            # The message names a way out, not just the problem.
            assert "Choose" in str(e) or "Use" in str(e)
    assert ("sigmoid", "cross_entropy") in accepted and ("softmax", "log_likelihood") in accepted
    assert ("linear", "quadratic") in accepted
    assert ("sigmoid", "log_likelihood") not in accepted
    assert ("linear", "cross_entropy") not in accepted


def test_per_layer_activations_and_aliases():
    spec = NetworkSpec.make("784,30,20,10", ["relu", "Leaky-ReLU"], cost="log-likelihood",
                            output_activation="softmax", weight_init="xavier")
    assert spec.hidden_activations == ("relu", "leaky_relu")
    assert spec.cost == "log_likelihood" and spec.weight_init == "xavier_normal"
    with pytest.raises(SpecError, match="2 hidden layer"):
        NetworkSpec.make("784,30,20,10", ["relu"])


def test_softmax_needs_two_outputs():
    with pytest.raises(SpecError, match="sigmoid output"):
        NetworkSpec.make("2,4,1", "relu", output_activation="softmax", cost="log_likelihood")


def test_absurd_size_is_refused_with_the_estimate_before_allocation():
    spec = NetworkSpec.make("784,300000,300000,10")
    with pytest.raises(SpecError, match="GiB") as info:
        spec.check_memory(batch_size=10)
    assert f"{spec.n_params:,}" in str(info.value)
    assert spec.estimate_bytes() > MAX_BYTES


def test_counts_match_the_layer_shapes():
    spec = NetworkSpec.make("784,30,10")
    assert spec.layer_shapes == [(30, 784), (10, 30)]
    assert spec.n_params == 784 * 30 + 30 + 30 * 10 + 10


def test_spec_dict_round_trip():
    spec = NetworkSpec.make("5,4,3", "tanh", output_activation="softmax", cost="log_likelihood",
                            bias_init="constant", bias_value=0.1, dtype="float64")
    assert NetworkSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(SpecError, match="Unknown network settings"):
        NetworkSpec.from_dict({**spec.to_dict(), "evil": 1})


@pytest.mark.parametrize("field, value, words", [
    ("eta", 0.0, "positive"), ("eta", float("nan"), "positive"), ("batch_size", 0, "at least 1"),
    ("dropout", 1.0, "below 1"), ("l2", -1.0, "zero or positive"), ("optimizer", "rmsprop", "choose one of"),
    ("epochs", 0, "at least 1"),
])
def test_bad_training_settings(field, value, words):
    cfg = TrainConfig(**{field: value}).normalised()
    with pytest.raises(SpecError, match=words):
        cfg.validate()


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_value_range_holds_for_the_activation(name):
    """Plots fix their axes to value_range: fn must never leave it, and a bound that is given
    must be approached (otherwise the axis would waste space)."""
    act = ACTIVATIONS[name]
    z = np.concatenate([np.linspace(-40, 40, 2001), [-700.0, 700.0]]).reshape(-1, 1)
    z = np.hstack([z, np.zeros_like(z)])          # two columns so softmax has a row to normalise
    a = act.fn(z)[:, 0]
    lo, hi = act.value_range
    if lo is not None:
        assert a.min() >= lo and a.min() - lo < 1e-3
    if hi is not None:
        assert a.max() <= hi and hi - a.max() < 1e-3
    if lo is None:
        assert a.min() < -1.0                      # unbounded below really goes below
    if hi is None:
        assert a.max() > 10.0
