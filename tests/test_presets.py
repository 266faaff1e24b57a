"""Each dataset's starting settings (playground.core.presets): moving between datasets keeps what
the person changed, and the image preset learns MNIST within a few epochs through the Trainer."""
from __future__ import annotations

import pytest

from playground.core import presets
from playground.core.spec import NetworkSpec, TrainConfig


def test_switch_takes_the_new_preset_only_where_the_old_one_was_untouched():
    mine = dict(presets.preset("spirals"), eta=0.05, dataset="spirals", dropout=0.2)
    out, changed = presets.switch(mine, "spirals", "mnist")
    assert out["eta"] == 0.05 and "eta" not in changed           # changed by the person: theirs
    assert out["dropout"] == 0.2                                  # not a preset setting: untouched
    assert out["hidden"] == [100] and out["activation"] == "relu" and out["weight_init"] == "he"
    assert set(changed) == {"hidden", "activation", "weight_init", "epochs"}
    assert mine["hidden"] == [12, 12]                             # the input is not modified
    assert presets.switch(out, "mnist", "fashion-mnist") == (out, [])     # same preset: nothing to do
    back, changed = presets.switch(out, "mnist", "circles")
    assert back["hidden"] == [12, 12] and back["eta"] == 0.05 and "eta" not in changed


def test_every_preset_is_a_valid_network_and_training_configuration():
    for name, (n_in, n_out) in {"spirals": (2, 2), "mnist": (784, 10), "fashion-mnist": (784, 10)}.items():
        p = presets.preset(name)
        NetworkSpec.make([n_in, *p["hidden"], n_out], p["activation"], output_activation=p["output"],
                         cost=p["cost"], weight_init=p["weight_init"], bias_init=p["bias_init"])
        TrainConfig(eta=p["eta"], batch_size=p["batch_size"], optimizer=p["optimizer"],
                    epochs=p["epochs"]).normalised().validate()
        p["hidden"].append(1)
        assert presets.preset(name)["hidden"] != p["hidden"]     # a copy each time


def test_image_preset_learns_mnist_in_two_epochs(shared_mnist_dir):
    from playground.core.data.dataset import load_dataset
    from playground.core.network import Network
    from playground.core.trainer import Trainer

    p = presets.preset("mnist")
    ds = load_dataset("mnist", data_dir=shared_mnist_dir, validation_size=0, allow_download=False, seed=1)
    spec = NetworkSpec.make([784, *p["hidden"], 10], p["activation"], output_activation=p["output"],
                            cost=p["cost"], weight_init=p["weight_init"], bias_init=p["bias_init"])
    cfg = TrainConfig(eta=p["eta"], batch_size=p["batch_size"], optimizer=p["optimizer"], epochs=2, seed=1)
    trainer = Trainer(Network(spec, seed=1), ds, cfg.normalised())
    assert trainer.run() == "done"
    accs = [r.test_accuracy for r in trainer.history]
    # The spirals' settings (784-12-12-10 tanh, Adam 0.02) on the same data: 76 % and 77 %.
    assert accs[0] >= 0.85 and max(accs) >= 0.88, accs


@pytest.mark.parametrize("name", ["spirals", "xor", "moons"])
def test_toys_start_from_the_settings_they_always_had(name):
    assert presets.preset(name) == presets.TOY
