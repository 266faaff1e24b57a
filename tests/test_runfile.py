"""Run files (.nnrun): written, read back, replayed bit for bit, and refused when hostile."""
import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from playground.core import runfile
from playground.core.errors import PlaygroundError
from playground.core.runfile import FORMAT_VERSION, RunFileError, load_run, save_run
from playground.core.runspec import RunSpec

REPO = Path(__file__).resolve().parents[1]
# Small, with dropout and L2 so the random masks and the regularised loss are replayed too.
RUN_SETTINGS = {"dataset": "circles", "n_samples": 300, "validation_size": 30, "hidden": [6], "epochs": 3,
                "dropout": 0.2, "l2": 0.01, "seed": 5}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run = RunSpec.from_settings(RUN_SETTINGS)
    trainer = run.trainer(chunk_seconds=0.2, probe_every=None)
    state = trainer.run()
    path = save_run(tmp_path_factory.mktemp("run") / "circles", run, trainer, state)
    return run, trainer, state, path


def test_a_run_file_holds_the_run_its_parameters_and_history(trained):
    run, trainer, state, path = trained
    assert path.suffix == ".nnrun"
    rf = load_run(path)
    assert rf.run == run and rf.state == state == "done"
    np.testing.assert_array_equal(rf.params, trainer.network.params)
    assert rf.params.dtype == trainer.network.params.dtype
    assert rf.history == trainer.history
    assert rf.counters == {"epoch": 3, "step": trainer.step, "samples_seen": trainer.samples_seen}
    np.testing.assert_array_equal(rf.network().params, trainer.network.params)


def test_running_the_file_again_gives_the_same_parameters_and_curves(trained):
    run, trainer, _, path = trained
    again = load_run(path).run.trainer(chunk_seconds=0.01, probe_every=None)   # other chunk sizes too
    again.run()
    np.testing.assert_array_equal(again.network.params, trainer.network.params)
    strip = [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in trainer.history]
    assert [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in again.history] == strip
    # ... and a different seed does not (the comparison can fail).
    other = RunSpec.from_settings({**RUN_SETTINGS, "seed": 6}).trainer(chunk_seconds=0.2, probe_every=None)
    other.run()
    assert not np.array_equal(other.network.params, trainer.network.params)


def test_a_spec_only_file_and_the_suffix_kept(tmp_path):
    run = RunSpec.default("xor")
    path = save_run(tmp_path / "lesson.nnrun", run)
    rf = load_run(path)
    assert path.name == "lesson.nnrun" and rf.run == run and not rf.trained and rf.history == []


# ---------------------------------------------------------------------------- hostile files
def _file_dict(trained) -> dict:
    return json.loads(trained[3].read_text())


def _write(tmp_path, d, name="bad.nnrun") -> Path:
    p = tmp_path / name
    p.write_text(d if isinstance(d, str) else json.dumps(d))
    return p


def _mutations(d):
    """(description, file contents, words the message must contain)."""
    n = len(base64.b64decode(d["result"]["params"]["base64"])) // 4
    nan = base64.b64encode(np.full(n, np.nan, np.float32).tobytes()).decode()
    wide = json.loads(json.dumps(d))
    wide["run"]["network"]["sizes"] = [2, 100_000, 100_000, 2]
    wide["run"]["network"]["hidden_activations"] = ["tanh", "tanh"]
    result = d["result"]
    return [
        ("not JSON", "{\"format\": ", "not valid JSON"),
        ("not UTF-8", b"\xff\xfe\x00".decode("latin-1"), "not valid JSON"),
        ("a model file", {"format": "nn-playground", "version": 1}, "not an nn-playground run file"),
        ("a list", [1, 2], "not an nn-playground run file"),
        ("newer version", {**d, "version": FORMAT_VERSION + 1}, "newer nn-playground"),
        ("newer run", {**d, "run": {**d["run"], "version": 99}}, "newer nn-playground"),
        ("text version", {**d, "version": "1"}, "whole-number 'version'"),
        ("unknown member", {**d, "script": "rm -rf /"}, "never has: 'script'"),
        ("unknown result member", {**d, "result": {**result, "pickle": 1}}, "never has: 'pickle'"),
        ("bad state", {**d, "result": {**result, "state": "exploded"}}, "state 'exploded'"),
        ("negative counter", {**d, "result": {**result, "epoch": -1}}, "'epoch' must be a whole number"),
        ("bad history", {**d, "result": {**result, "history": [{"epoch": 1}]}}, "history entry 1"),
        ("wrong count", {**d, "result": {**result, "params": {**result["params"], "count": 3}}},
         "network it describes has"),
        ("short data", {**d, "result": {**result, "params": {**result["params"], "base64": "AAAA"}}},
         "not the"),
        ("not base64", {**d, "result": {**result, "params": {**result["params"],
                                                             "base64": "*" * len(result["params"]["base64"])}}},
         "not valid base64"),
        ("NaN parameters", {**d, "result": {**result, "params": {**result["params"], "base64": nan}}},
         "NaN or infinity"),
        ("float64 claimed", {**d, "result": {**result, "params": {**result["params"], "dtype": "float64"}}},
         "network is float32"),
        ("a 10-billion-parameter net", wide, "GiB of memory"),
        ("bad setting", {**d, "run": {**d["run"], "train": {**d["run"]["train"], "eta": -1}}}, "Learning rate -1"),
        ("a NaN constant", json.dumps(d).replace('"l2": 0.01', '"l2": NaN'), "NaN"),
        ("a huge integer", json.dumps(d).replace('"seed": 5', '"seed": ' + "9" * 5000), "5,000 digits"),
        ("deep nesting", "[" * 100_000 + "]" * 100_000, "nested far too deeply"),
        ("a million empty objects", "[" + ",".join(["{}"] * 1_100_000) + "]", "more than a run file may"),
    ]


def test_hostile_run_files_are_refused_with_a_clear_message(trained, tmp_path):
    for what, contents, words in _mutations(_file_dict(trained)):
        with pytest.raises(RunFileError) as e:
            load_run(_write(tmp_path, contents))
        assert words in str(e.value), (what, str(e.value))
        assert str(e.value).startswith("bad.nnrun"), what


def test_refused_before_parsing_when_over_the_byte_cap(trained, tmp_path, monkeypatch):
    monkeypatch.setattr(runfile, "MAX_JSON_BYTES", 1000)
    with pytest.raises(RunFileError, match="larger than any run file"):
        load_run(trained[3])


def test_not_a_regular_file(tmp_path):
    with pytest.raises(RunFileError, match="is a folder, not a file"):
        load_run(tmp_path)
    with pytest.raises(RunFileError, match="Cannot read"):
        load_run(tmp_path / "missing.nnrun")
    fifo = tmp_path / "pipe.nnrun"
    os.mkfifo(fifo)
    result = []
    t = threading.Thread(target=lambda: result.append(pytest.raises(RunFileError, load_run, fifo)), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert "pipe (FIFO)" in str(result[0].value)
    assert issubclass(RunFileError, PlaygroundError)


# ---------------------------------------------------------------------------- the command line
def run_cli(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "playground", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def last_json(out) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _curves(result):
    return [{k: v for k, v in e.items() if k != "seconds"} for e in result["epochs"]]


def test_cli_save_run_then_run_twice_is_bit_identical(tmp_path):
    path = tmp_path / "moons.nnrun"
    first = last_json(run_cli("train", "--dataset", "moons", "--n-samples", "300", "--epochs", "4", "--dropout",
                              "0.1", "--seed", "3", "--save-run", path, "--json", "--quiet"))
    assert first["run_file"] == str(path) and load_run(path).run.to_dict() == first["run"]
    again = [last_json(run_cli("train", "--run", path, "--json", "--quiet")) for _ in range(2)]
    assert again[0]["epochs"] == again[1]["epochs"] or _curves(again[0]) == _curves(again[1])
    assert _curves(again[0]) == _curves(again[1]) == _curves(first)
    assert len(first["epochs"]) == 4 and again[0]["reproduced"] is True and again[0]["run"] == first["run"]
    longer = last_json(run_cli("train", "--run", path, "--epochs", "5", "--json", "--quiet"))
    assert _curves(longer)[:4] == _curves(first) and len(longer["epochs"]) == 5
    assert longer["reproduced"] is None          # not the same run: nothing to compare the end with


@pytest.mark.parametrize("argv, message", [
    (("--eta", "0.1"), "leave out --eta"),
    (("--dataset", "xor", "--layers", "2,4,2"), "leave out --dataset, --layers"),
])
def test_cli_run_refuses_options_that_would_change_it(tmp_path, argv, message):
    path = save_run(tmp_path / "r.nnrun", RunSpec.default("xor"))
    out = run_cli("train", "--run", path, "--epochs", "1", *argv)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_cli_run_refuses_a_newer_file_and_until_stopped(tmp_path):
    newer = _write(tmp_path, {"format": "nn-playground-run", "version": 2, "run": {}})
    out = run_cli("train", "--run", newer)
    assert out.returncode == 2 and "newer nn-playground" in out.stderr and "Traceback" not in out.stderr
    endless = save_run(tmp_path / "endless", RunSpec.from_settings({"dataset": "xor", "until_stopped": True}))
    out = run_cli("train", "--run", endless)
    assert out.returncode == 2 and "give --epochs N" in out.stderr


def test_cli_save_run_is_refused_up_front(tmp_path):
    out = run_cli("train", "--epochs", "1", "--save-run", tmp_path / "no-such-folder" / "r.nnrun")
    assert out.returncode == 2 and "does not exist" in out.stderr and "Epoch 1" not in out.stdout


def test_a_saved_model_records_its_run(trained, tmp_path):
    from playground.core.errors import ModelFileError
    from playground.core.persist import load_model
    run, trainer, _, _ = trained
    path = trainer.save(tmp_path / "model.json", run=run)
    assert load_model(path).run == run
    d = json.loads(path.read_text())
    d["run"]["network"]["hidden_activations"] = ["relu"]
    path.write_text(json.dumps(d))
    with pytest.raises(ModelFileError, match="different network"):
        load_model(path)
    assert load_model(trainer.save(tmp_path / "plain.json")).run is None       # older files have none


def test_cli_save_writes_the_run_into_the_model(tmp_path):
    model = tmp_path / "m.json"
    result = last_json(run_cli("train", "--dataset", "xor", "--epochs", "1", "--save", model, "--json", "--quiet"))
    from playground.core.persist import load_model
    assert load_model(model).run.to_dict() == result["run"]


def test_opening_a_trained_run_continues_where_it_ended(trained):
    run, trainer, _, path = trained
    rf = load_run(path)
    resumed = rf.trainer(chunk_seconds=0.2, probe_every=None)
    assert (resumed.epoch, resumed.step, resumed.samples_seen) == (trainer.epoch, trainer.step, trainer.samples_seen)
    assert resumed.history == trainer.history
    np.testing.assert_array_equal(resumed.network.params, trainer.network.params)
    assert resumed.evaluate("test") == trainer.evaluate("test")
    fresh = rf.run.trainer(chunk_seconds=0.2, probe_every=None)
    assert fresh.epoch == 0 and not np.array_equal(fresh.network.params, trainer.network.params)
