"""`nn-playground compare`: twins on the command line, run as a user would (a subprocess), and its
refusals of a bad --vary (in-process: they end before any data or kernel is loaded)."""
import json

import pytest

from playground.cli import main
from test_cli import last_json, run_cli

CIRCLES = ["compare", "--dataset", "circles", "--n-samples", "200", "--layers", "2,8,2", "--optimizer", "sgd",
           "--epochs", "2", "--seed", "3"]


def test_compare_json_holds_every_twin_and_the_table_names_them():
    out = run_cli(*CIRCLES, "--vary", "eta=0.05,0.5,5", "--json")
    result = last_json(out)
    runs = result["runs"]
    assert [r["label"] for r in runs] == ["η 0.05", "η 0.5", "η 5"]
    assert result["vary"] == {"key": "eta", "values": [0.05, 0.5, 5.0]} and result["start_note"] == ""
    for r, eta in zip(runs, (0.05, 0.5, 5.0)):
        assert r["config"]["train"]["eta"] == eta and r["config"]["network"]["sizes"] == [2, 8, 2]
        assert [h["epoch"] for h in r["history"]] == [1, 2]
        assert r["test_accuracy"] == r["history"][-1]["test_accuracy"]
        assert len(r["grad_norms"]) == 2 and all(g > 0 for g in r["grad_norms"])
        assert len(r["init_sha256"]) == len(r["order_sha256"]) == 64
        assert r["state"] == "done" and r["samples_seen"] == 2 * 150
    assert len({r["init_sha256"] for r in runs}) == len({r["order_sha256"] for r in runs}) == 1
    assert runs[0]["history"] != runs[1]["history"]
    table = out.stdout.splitlines()[:-1]
    assert "Every twin starts from the same initial weights" in table[1]
    assert table[2].split() == ["twin", "test", "acc", "final", "loss", "seconds", "grad", "first/last"]
    for line, r in zip(table[3:6], runs):
        ratio = r["grad_norms"][0] / r["grad_norms"][-1]
        assert line.startswith(r["label"]) and f"{100 * r['test_accuracy']:.2f}%" in line
        assert line.split()[-1] == f"{ratio:.3g}"


def test_compare_hidden_sizes_says_the_twins_start_differently():
    out = run_cli(*CIRCLES, "--epochs", "1", "--vary", "hidden=8,4-4", "--quiet", "--json")
    assert len(out.stdout.strip().splitlines()) == 1          # --quiet: the JSON line alone
    result = last_json(out)
    assert "layer sizes differ" in result["start_note"]
    a, b = result["runs"]
    assert (a["label"], b["label"]) == ("8 hidden", "4-4 hidden")
    assert b["config"]["network"]["sizes"] == [2, 4, 4, 2]
    assert a["init_sha256"] != b["init_sha256"] and a["order_sha256"] == b["order_sha256"]


@pytest.mark.parametrize("vary, message", [
    ("eta", "must look like KEY=V1,V2"),
    ("eta=0.5", "gives one value: a comparison needs 2 to 4 values of the learning rate"),
    ("eta=1,2,3,4,5", "gives 5 values: at most 4 twins"),
    ("colour=red,blue", "Cannot vary 'colour'"),
    ("eta=0.1,fast", "The learning rate 'fast' is not a number"),
    ("activation=sigmoid,rleu", "did you mean relu"),
    ("hidden=8,8-", "Hidden layer sizes '8-' have an empty entry"),
    ("momentum=0.5,0.9", "momentum only matters with the momentum or nesterov optimiser"),
    ("output=softmax,sigmoid", "The twin with sigmoid output is not a valid run"),
])
def test_bad_vary_exits_2_with_a_specific_message(vary, message, capsys):
    assert main(["compare", "--dataset", "circles", "--vary", vary, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("nn-playground: error: ") and message in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_compare_has_no_single_run_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--vary", "eta=0.1,0.2", "--save", "x.json"])
    assert exc.value.code == 2 and "unrecognized arguments: --save" in capsys.readouterr().err
