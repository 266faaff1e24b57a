"""RunSpec: one description of a run. Round trips, the engine's own refusals, and one set of defaults
shared by the CLI, the window's controls and presets."""
import json
from dataclasses import replace

import pytest

from playground.core import catalogue, presets
from playground.core.errors import SpecError
from playground.core.runspec import RUNSPEC_VERSION, DataSpec, RunSpec
from playground.core.spec import LIVE_FIELDS, NetworkSpec, TrainConfig

RUNS = {
    "default": RunSpec.default(),
    "mnist": RunSpec.default("mnist"),
    "nielsen": RunSpec.default("xor", "nielsen"),
    "everything": RunSpec.from_settings({
        "dataset": "moons", "noise": 0.2, "test_ratio": 0.3, "n_samples": 400, "train_size": 100,
        "validation_size": 20, "standardise": True, "data_dir": "/somewhere", "data_seed": 7,
        "sizes": [2, 5, 4, 1], "hidden_activations": ["relu", "elu"], "output": "sigmoid",
        "cost": "quadratic", "weight_init": "he", "bias_init": "constant", "bias_value": 0.25,
        "dtype": "float64", "optimizer": "nesterov", "momentum": 0.8, "eta": 0.3, "batch_size": 7,
        "l2": 0.5, "l1": 0.01, "dropout": 0.1, "seed": 42, "schedule": "plateau", "plateau_epochs": 3,
        "max_halvings": 2, "early_stopping": 4, "epochs": 12}),
    "until stopped": RunSpec.from_settings({"dataset": "circles", "until_stopped": True}),
}


@pytest.mark.parametrize("name", RUNS)
def test_round_trips_through_json_and_through_flat_settings(name):
    run = RUNS[name]
    again = RunSpec.from_dict(json.loads(json.dumps(run.to_dict())))
    assert again == run and again.to_dict() == run.to_dict()
    assert RunSpec.from_settings(run.to_settings()) == run


def test_the_fields_people_name():
    run = RUNS["everything"]
    assert (run.data.name, run.epochs, run.seed, run.data_seed, run.until_stopped) == ("moons", 12, 42, 7, False)
    assert run.network.sizes == (2, 5, 4, 1) and run.network.hidden_activations == ("relu", "elu")
    assert run.train.optimizer == "nesterov" and run.train.early_stopping == 4
    stopped = RUNS["until stopped"]
    assert stopped.until_stopped and stopped.epochs is None
    assert stopped.with_epochs(3).epochs == 3 and stopped.data_seed == stopped.seed == 1


@pytest.mark.parametrize("settings, build", [
    ({"eta": -1}, lambda: TrainConfig(eta=-1).validate()),
    ({"batch_size": 0}, lambda: TrainConfig(batch_size=0).validate()),
    ({"dropout": 1.0}, lambda: TrainConfig(dropout=1.0).validate()),
    ({"optimizer": "rmsprop"}, lambda: TrainConfig(optimizer="rmsprop").normalised().validate()),
    ({"seed": -3}, lambda: TrainConfig(seed=-3).validate()),
    ({"cost": "hinge"}, lambda: NetworkSpec.make([2, 12, 12, 2], "tanh", output_activation="softmax", cost="hinge")),
    ({"hidden": [0]}, lambda: NetworkSpec.make([2, 0, 2], "tanh")),
    ({"output": "linear", "cost": "cross_entropy"},
     lambda: NetworkSpec.make([2, 12, 12, 2], "tanh", output_activation="linear", cost="cross_entropy")),
])
def test_refusals_are_the_engines_own_messages(settings, build):
    with pytest.raises(SpecError) as engine:
        build()
    with pytest.raises(SpecError) as run:
        RunSpec.from_settings(settings)
    assert str(run.value) == str(engine.value)


@pytest.mark.parametrize("settings, message", [
    ({"dataset": "cifar10"}, "Unknown dataset 'cifar10'"),
    ({"noise": -0.1}, "Noise -0.1 must be zero or a positive"),
    ({"noise": "loud"}, "Noise 'loud' must be a number"),
    ({"test_ratio": 1.0}, "test share 1.0 must be at least 0 and below 1"),
    ({"train_size": 0}, "training-set size 0 must be a whole number of at least 1"),
    ({"validation_size": 2.5}, "validation-set size 2.5 must be a whole number"),
    ({"data_seed": -1}, "Seed -1"),
    ({"sizes": [3, 8, 2]}, "start --layers with 2"),
    ({"sizes": [2, 8, 3]}, "make the output layer 2 (one-hot) or 1"),
    ({"dataset": "mnist", "sizes": [784, 30, 2]}, "make the output layer 10 units wide"),
])
def test_data_and_fit_refusals(settings, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        RunSpec.from_settings(settings)


def test_a_newer_or_malformed_description_is_refused():
    d = RUNS["default"].to_dict()
    with pytest.raises(SpecError, match=f"version {RUNSPEC_VERSION + 1}.*newer nn-playground"):
        RunSpec.from_dict({**d, "version": RUNSPEC_VERSION + 1})
    for bad, message in [({**d, "version": "1"}, "whole-number 'version'"), ({**d, "colour": 1}, "Unknown run"),
                         ({**d, "train": {**d["train"], "warp": 9}}, "Unknown training settings: warp"),
                         ({**d, "data": {**d["data"], "name": 5}}, "Unknown dataset 5"),
                         ({**d, "network": None}, "'network' must be an object"), ([], "must be an object")]:
        with pytest.raises(SpecError, match=message):
            RunSpec.from_dict(bad)


# ---------------------------------------------------------------------------- one set of defaults
def _cli_run(*argv):
    from playground.cli import build_parser, run_spec_from_args
    return run_spec_from_args(build_parser().parse_args(["train", *argv]))


@pytest.mark.parametrize("dataset", [None, *catalogue.WINDOW_NAMES, "mnist-pkl"])
def test_cli_defaults_are_the_run_defaults(dataset):
    argv = [] if dataset is None else ["--dataset", dataset]
    expected = RunSpec.default(dataset)
    # The one documented difference: without --validation-size the CLI trains on every sample.
    assert _cli_run(*argv) == replace(expected, data=replace(expected.data, validation_size=0))


def test_cli_options_replace_the_starting_settings():
    run = _cli_run("--dataset", "mnist", "--eta", "0.05", "--layers", "784,64,10", "--activation", "tanh",
                   "--seed", "9", "--test-ratio", "0.5", "--preset", "nielsen", "--validation-size", "100")
    n = presets.NIELSEN
    assert run.network == NetworkSpec.make([784, 64, 10], "tanh", output_activation=n["output"], cost=n["cost"],
                                           weight_init=n["weight_init"], bias_init=n["bias_init"])
    assert (run.train.eta, run.train.optimizer, run.seed, run.data.test_ratio, run.data.validation_size) == \
        (0.05, "sgd", 9, 0.5, 100)


def test_presets_settings_name_every_flat_key_from_settings_reads():
    # A preset key that RunSpec ignored would be a default kept in two places.
    flat = RunSpec.default().to_settings()
    assert set(presets.settings()) <= set(flat)
    mnist = RunSpec.default("mnist").to_settings()
    for key, value in presets.settings("mnist").items():
        assert mnist[key] == value, key


def test_controls_start_from_the_run_defaults(qtbot):
    from playground.gui.controls import DEFAULTS, LIVE_KEYS, ControlsPanel

    assert RunSpec.from_settings(DEFAULTS) == RunSpec.default()
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    assert RunSpec.from_settings(panel.state()) == RunSpec.default()
    assert panel.spec() == RunSpec.default().network and panel.config() == RunSpec.default().train
    assert LIVE_KEYS == TrainConfig.LIVE == LIVE_FIELDS


def test_dataspec_loads_what_it_describes():
    data = DataSpec("xor", noise=0.0, n_samples=120, test_ratio=0.5, validation_size=6, seed=3)
    ds = data.load(run_seed=99)
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (54, 6, 60)
    from playground.core.data import load_dataset
    same = load_dataset("xor", noise=0.0, n_samples=120, test_ratio=0.5, validation_size=6, seed=3)
    assert (ds.x_train == same.x_train).all()           # data.seed, not the run's seed
