"""`nn-playground lesson`: the list, a lesson's runs as compare's JSON, and a bad name. One runs as a
user would (a subprocess); the rest in-process, which spares a second start-up."""
import json

import pytest

from playground.cli import main
from playground.core import lessons
from test_cli import last_json, run_cli


def test_lesson_list_names_every_lesson_with_its_title_and_budget(capsys):
    assert main(["lesson", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in lessons.names():
        lesson = lessons.load(name)
        row = next(i for i, line in enumerate(lines) if line.startswith(name + " "))
        assert lesson.title in lines[row] and lesson.budget in lines[row + 1]


def test_a_lesson_prints_its_runs_like_compare_and_the_last_line_is_their_json(capsys):
    assert main(["lesson", "symmetry", "--epochs", "20", "--json"]) == 0
    text = capsys.readouterr().out
    result = json.loads(text.strip().splitlines()[-1])
    zero, rand = result["runs"]
    assert result["lesson"] == "symmetry"
    assert (zero["label"], rand["label"]) == ("all-zero weights", "random (Xavier) weights")
    assert zero["config"]["network"]["weight_init"] == "zeros" and rand["config"]["network"]["weight_init"] == \
        "xavier_normal"
    assert [h["epoch"] for h in zero["history"]] == list(range(1, 21))
    assert zero["order_sha256"] == rand["order_sha256"] and zero["init_sha256"] != rand["init_sha256"]
    assert "weight initialisations differ" in result["start_note"]
    assert lessons.load("symmetry").watch in text and "all-zero weights" in text and "Full version" in text


def test_a_lesson_with_a_second_part_runs_both():
    out = run_cli("lesson", "xor-spirals", "--epochs", "2", "--json", "--quiet")
    assert len(out.stdout.strip().splitlines()) == 1
    xor, spirals = last_json(out)["runs"]
    assert (xor["label"], spirals["label"]) == ("XOR", "two spirals")
    assert xor["config"]["network"]["sizes"] == [2, 10, 5, 1] and spirals["config"]["data"]["name"] == "spirals"


@pytest.mark.parametrize("argv, message", [
    (["lesson", "dead-relu"], "did you mean dead-relus"),
    (["lesson"], "Name a lesson"),
])
def test_a_bad_lesson_name_is_one_clear_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
