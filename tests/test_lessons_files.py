"""The shipped lesson files: all eleven of the issue, each valid, and the loader strict."""
from __future__ import annotations

import json

import pytest

from playground.core import lessons
from playground.core.errors import SpecError

ISSUE = ["nielsen-ch1", "cross-entropy-vs-quadratic", "vanishing-gradients", "weight-init", "overfitting-l2",
         "learning-rates", "optimizer-race", "xor-spirals", "dropout", "dead-relus", "symmetry"]


def test_every_lesson_of_the_issue_is_shipped_in_order():
    assert lessons.names() == ISSUE


@pytest.mark.parametrize("name", ISSUE)
def test_each_lesson_says_what_to_watch_and_builds_its_runs(name):
    lesson = lessons.load(name)
    sentences = [s for s in lesson.watch.replace("?", ".").split(". ") if s.strip()]
    assert 2 <= len(sentences) <= 4, lesson.watch
    assert set(lesson.panels) <= set(lessons.PANELS)
    assert lesson.budget and lesson.full
    assert lesson.epochs >= 1
    runs = lesson.twins_or_run()
    assert len(runs) == max(1, len(lesson.twins))
    assert [t.label for t in runs] == ([label for label, _ in lesson.twins] or [lesson.label or lesson.title])
    for twin in runs:
        assert twin.spec.epochs == lesson.epochs and twin.spec.seed == lesson.spec().seed
    if lesson.spec().data.name in ("mnist", "fashion-mnist"):
        # The short budget holds whatever MNIST is installed: never the whole 60,000.
        assert lesson.spec().data.train_size is not None and lesson.spec().data.train_size <= 5000


def test_twin_labels_name_what_differs():
    vg = lessons.load("vanishing-gradients")
    assert [label for label, _ in vg.twins] == ["sigmoid", "ReLU + He + bias 0.1"]
    relu = vg.twins_or_run()[1].spec
    assert relu.network.hidden_activations == ("relu",) * 4 and relu.network.weight_init == "he"
    assert relu.network.bias_init == "constant" and relu.network.bias_value == 0.1


def _raw(lesson="symmetry", **change):
    d = json.loads(lessons.resources.files(lessons.__name__).joinpath(f"{lesson}.json").read_text())
    for k, v in change.items():
        if v is None:
            d.pop(k)
        else:
            d[k] = v
    return json.dumps(d).encode()


@pytest.mark.parametrize("change,message", [
    ({"colour": "red"}, "unknown key(s) colour"),
    ({"base": {"dataset": "circles", "epochs": 3, "etta": 0.1}}, "unknown key(s) etta"),
    ({"twins": [{"label": "a", "overrides": {}}]}, "a comparison has 2 to 4"),
    ({"twins": [{"label": "a", "overrides": {"eta": -1}}, {"label": "b", "overrides": {}}]}, "learning rate -1"),
    ({"twins": [{"label": "a", "overrides": {}}, {"label": "a", "overrides": {"eta": 1}}]}, "same label"),
    ({"panels": ["loss", "radar"]}, "'panels' must be"),
    ({"watch": None}, "lacks watch"),
    ({"name": "other"}, "must agree"),
    ({"version": 2}, "version 2"),
    ({"base": {"dataset": "circles", "until_stopped": True, "epochs": 3}}, "short budget"),
])
def test_a_bad_lesson_file_is_refused_with_a_reason(change, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        lessons.parse(_raw(**change), "symmetry")


def test_nan_and_oversized_files_are_refused():
    with pytest.raises(SpecError, match="not valid JSON"):
        lessons.parse(_raw().replace(b'"eta": 0.5', b'"eta": NaN'), "symmetry")
    with pytest.raises(SpecError, match="at most"):
        lessons.parse(b" " * (lessons.MAX_BYTES + 1), "symmetry")


def test_an_unknown_lesson_name_suggests_the_closest():
    with pytest.raises(SpecError, match="did you mean dead-relus"):
        lessons.load("dead-relu")
    with pytest.raises(SpecError, match="Unknown lesson"):
        lessons.load("../etc/passwd")


def test_a_wheel_ships_every_lesson_file():
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["playground"]
    folder = root / "playground" / "core" / "lessons"
    files = [p.relative_to(root / "playground").as_posix() for p in folder.glob("*.json")]
    assert len(files) == len(ISSUE)
    assert all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files)
