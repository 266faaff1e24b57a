"""The `nn-playground` command line, run as a user would: in a subprocess, reading its output."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"

# Small and deterministic: 200 noise-free XOR points, two ReLU layers, one sigmoid output, Adam.
XOR = ["train", "--dataset", "xor", "--n-samples", "200", "--noise", "0", "--layers", "2,16,16,1",
       "--activation", "relu", "--output", "sigmoid", "--cost", "cross-entropy", "--optimizer", "adam",
       "--eta", "0.01", "--seed", "1"]


def run_cli(*args, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("NN_PLAYGROUND_DATA", None)
    return subprocess.run([sys.executable, "-m", "playground", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def last_json(out) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_train_xor_json_reaches_full_accuracy():
    result = last_json(run_cli(*XOR, "--epochs", "200", "--json"))
    for key in ("test_accuracy", "epochs", "samples_per_second", "seconds", "spec", "config", "n_test"):
        assert key in result
    assert result["spec"]["sizes"] == [2, 16, 16, 1]
    assert result["config"]["optimizer"] == "adam"
    assert len(result["epochs"]) == 200
    first = result["epochs"][0]
    for split in ("training", "validation", "test"):
        assert f"{split}_loss" in first and f"{split}_accuracy" in first
    assert result["samples_per_second"] > 0
    assert max(e["test_accuracy"] for e in result["epochs"]) == 1.0
    assert result["training_accuracy"] >= 0.99


def test_train_prints_the_monitors_each_epoch():
    out = run_cli(*XOR, "--epochs", "2")
    assert out.returncode == 0, out.stderr
    lines = [l for l in out.stdout.splitlines() if l.startswith("Epoch ")]
    assert len(lines) == 2
    assert "train loss" in lines[0] and "val" in lines[0] and "test loss" in lines[0]


@pytest.mark.parametrize("layers, message", [
    ("2,abc,1", "not a number"),
    ("2,0,1", "not positive"),
    ("3,4,2", "start --layers with 2"),
    ("2,4,3", "output layer"),
])
def test_bad_layers_are_one_clear_line_and_exit_2(layers, message):
    out = run_cli("train", "--dataset", "xor", "--layers", layers, "--epochs", "1")
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_bad_option_value_exits_2():
    out = run_cli("train", "--dataset", "xor", "--cost", "hinge", "--epochs", "1")
    assert out.returncode == 2 and "cost" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("train", "--dataset", "xor", "--eta", "-1", "--epochs", "1")
    assert out.returncode == 2 and "Learning rate" in out.stderr


@pytest.mark.parametrize("option, message", [
    (("--seed", "-1"), "Seed -1"),
    (("--bias-init", "constant", "--bias-value", "nan"), "Bias value nan"),
    (("--n-samples", "1000000000000"), "n_samples"),
    (("--save", "/nonexistent-folder/model.json"), "does not exist"),
    (("--save", "model.json", "--format", "nielsen", "--activation", "relu"), "network2 format"),
])
def test_bad_input_is_refused_before_training(option, message):
    out = run_cli("train", "--dataset", "xor", "--epochs", "1", *option)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert "Epoch 1" not in out.stdout                  # refused up front, not after the work


def test_divergence_exits_3_and_still_prints_the_json_line():
    out = run_cli("train", "--dataset", "xor", "--activation", "linear", "--output", "linear", "--cost",
                  "quadratic", "--optimizer", "sgd", "--eta", "100", "--epochs", "3", "--json")
    assert out.returncode == 3
    assert "diverged" in out.stderr and "Traceback" not in out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["state"] == "diverged"


def test_save_then_load_continues_training(tmp_path):
    model = tmp_path / "xor.json"
    first = last_json(run_cli(*XOR, "--epochs", "3", "--save", model, "--json"))
    assert model.is_file() and first["saved"] == str(model)
    # The saved network is used as is: --layers/--activation are not needed when loading.
    second = last_json(run_cli("train", "--dataset", "xor", "--n-samples", "200", "--noise", "0",
                               "--optimizer", "adam", "--eta", "0.01", "--load", model, "--epochs", "2", "--json"))
    assert second["spec"] == first["spec"]
    assert [e["epoch"] for e in second["epochs"]] == [1, 2, 3, 4, 5]
    assert second["epochs"][:3] == first["epochs"]
    # Continuing from trained weights starts below the first run's first-epoch loss.
    assert second["epochs"][3]["training_loss"] < first["epochs"][0]["training_loss"]


def test_load_keeps_the_saved_training_settings_unless_overridden(tmp_path):
    model = tmp_path / "adam.json"
    toy = ("train", "--dataset", "xor", "--n-samples", "200", "--noise", "0", "--json")
    last_json(run_cli(*toy, "--optimizer", "adam", "--eta", "0.01", "--batch", "16", "--epochs", "1",
                      "--save", model))
    kept = last_json(run_cli(*toy, "--load", model, "--epochs", "1"))["config"]
    assert (kept["optimizer"], kept["eta"], kept["batch_size"]) == ("adam", 0.01, 16)
    changed = last_json(run_cli(*toy, "--load", model, "--epochs", "1", "--eta", "0.002"))["config"]
    assert (changed["optimizer"], changed["eta"], changed["batch_size"]) == ("adam", 0.002, 16)


def test_save_nielsen_format(tmp_path):
    model = tmp_path / "net.json"
    last_json(run_cli("train", "--dataset", "xor", "--preset", "nielsen", "--layers", "2,8,1", "--epochs", "1",
                      "--save", model, "--format", "nielsen", "--json"))
    saved = json.loads(model.read_text())
    assert saved["sizes"] == [2, 8, 1] and "weights" in saved and "biases" in saved


def test_load_missing_file_exits_2(tmp_path):
    out = run_cli("train", "--dataset", "xor", "--load", tmp_path / "nope.json", "--epochs", "1")
    assert out.returncode == 2 and "Traceback" not in out.stderr


@pytest.mark.skipif(not (SHARED_MNIST / "train-images-idx3-ubyte.gz").is_file(),
                    reason=f"reduced MNIST not at {SHARED_MNIST}")
def test_train_mnist_from_shared_folder():
    result = last_json(run_cli("train", "--dataset", "mnist", "--preset", "nielsen", "--data-dir", SHARED_MNIST,
                               "--epochs", "1", "--train-size", "1000", "--json"))
    assert result["n_test"] == 10000
    assert result["n_train"] == 1000
    assert result["spec"]["sizes"] == [784, 30, 10]
    assert result["test_accuracy"] > 0.3          # one epoch on 1,000 digits: far above chance (0.1)


@pytest.mark.skipif(not (SHARED_MNIST / "train-images-idx3-ubyte.gz").is_file(),
                    reason=f"reduced MNIST not at {SHARED_MNIST}")
def test_mnist_default_uses_all_5000_training_digits():
    result = last_json(run_cli("train", "--dataset", "mnist", "--data-dir", SHARED_MNIST, "--epochs", "1",
                               "--json", "--quiet"))
    assert (result["n_train"], result["n_validation"], result["n_test"]) == (5000, 0, 10000)


def test_help_and_version():
    out = run_cli("--help")
    assert out.returncode == 0 and "train" in out.stdout and "bench" in out.stdout
    out = run_cli("--version")
    assert out.returncode == 0 and "nn-playground" in out.stdout


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.startswith("python3 -m venv")]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    install, test = _readme_commands()
    assert install.endswith("nn-playground") and "pip install -e ." in install
    assert "pytest" in test and '".[test]"' in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in [line.strip() for line in ci]
