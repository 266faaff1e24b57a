"""The run history file (core.runhistory): survives a restart, capped, and a file that cannot be
read is set aside with a message, never a crash and never overwritten."""
from __future__ import annotations

import json
import os

import pytest

from full_disk import fill_disk
from playground.core import runhistory
from playground.core.runhistory import RunHistory, RunRecord
from playground.core.runspec import RunSpec

SETTINGS = {"dataset": "circles", "n_samples": 200, "hidden": [5], "epochs": 3, "seed": 4}


@pytest.fixture(scope="module")
def trained():
    run = RunSpec.from_settings(SETTINGS)
    trainer = run.trainer(chunk_seconds=0.05, probe_every=None)
    trainer.run()
    return run, trainer


def test_the_history_survives_a_restart(tmp_path, trained):
    run, trainer = trained
    path = tmp_path / "data" / "history.json"
    h = RunHistory(path)
    assert h.records == [] and h.message is None
    rec = h.add(RunRecord.of("circles, 5 hidden", run, trainer, state="done"))
    other = h.add(RunRecord.of("not trained", run.with_epochs(7)))
    h.rename(other.id, "  renamed   run ")
    assert h.save()

    again = RunHistory(path)                      # a new window: read back from the file
    assert again.message is None and [r.id for r in again.records] == [rec.id, other.id]
    back = again.get(rec.id)
    assert back.name == "circles, 5 hidden" and back.state == "done"
    assert back.spec() == run
    assert back.history == trainer.history and len(back.history) == 3
    assert back.test_accuracy == trainer.history[-1].test_accuracy
    assert back.samples_seen == trainer.samples_seen and back.seconds == pytest.approx(trainer.elapsed)
    assert again.get(other.id).name == "renamed run" and again.get(other.id).spec().epochs == 7
    assert again.remove(rec.id) and again.save()
    assert [r.id for r in RunHistory(path).records] == [other.id]


def test_oldest_runs_go_first_past_the_caps(tmp_path, trained):
    run, trainer = trained
    path = tmp_path / "history.json"
    h = RunHistory(path, max_runs=3)
    ids = [h.add(RunRecord.of(f"run {i}", run, trainer)).id for i in range(5)]
    h.save()
    assert [r.id for r in RunHistory(path, max_runs=3).records] == ids[2:]
    one = len(json.dumps(h.records[0].to_json(), separators=(",", ":")))
    cap = 2 * one + 300                                       # the byte cap: two records fit
    small = RunHistory(tmp_path / "small.json", max_bytes=cap)
    for name in ("first", "second", "newest"):
        small.add(RunRecord.of(name, run, trainer))
    small.save()
    assert os.path.getsize(tmp_path / "small.json") <= cap
    assert [r.name for r in RunHistory(tmp_path / "small.json", max_bytes=cap).records] == ["second", "newest"]


def test_a_long_history_is_thinned_keeping_the_last_epoch():
    from playground.core.epochrows import EpochRows
    from playground.core.snapshot import EpochRecord

    rows = EpochRows(EpochRecord(epoch=i, training_loss=None, training_accuracy=None, validation_loss=None,
                                 validation_accuracy=None, test_loss=None, test_accuracy=i / 5000, eta=0.1,
                                 seconds=0.0) for i in range(5000))
    out = rows.thinned(1000)
    epochs = [r.epoch for r in out]
    assert epochs == list(range(0, 4995, 5)) + [4999]      # every 5th, then the last instead of 4995
    assert len(rows.thinned(6000)) == 5000 and rows.thinned(6000) == rows


def test_a_kept_history_holds_none_of_the_trainers_records():
    """The kept epochs were the trainer's own record objects, scattered through the memory of all
    it made, which they kept resident after the run closed. The record copies them into rows, and
    reads back the same records."""
    import gc
    import weakref
    from dataclasses import replace
    from types import SimpleNamespace

    from playground.core.snapshot import EpochRecord

    made = [EpochRecord(epoch=i + 1, training_loss=1.0 / (i + 1), training_accuracy=None,
                        validation_loss=None, validation_accuracy=0.5, test_loss=0.25 * i,
                        test_accuracy=None if i % 3 else i / 5000, eta=0.1, seconds=0.01 * i) for i in range(4000)]
    trainer = SimpleNamespace(history=made, elapsed=4.0, samples_seen=40_000)
    rec = RunRecord.of("a long run", RunSpec.from_settings(SETTINGS), trainer, state="done")
    kept = rec.history
    rec.update_from(trainer)                   # polled again with no new epoch: nothing rebuilt
    assert rec.history is kept
    # 4,000 epochs in at most 1,000: every 4th, the last of them replaced by the last epoch
    expected = [replace(r) for r in made[0:3996:4] + [made[-1]]]      # copies, to compare with later
    alive = [weakref.ref(r) for r in made]
    del made, trainer
    gc.collect()
    assert not any(r() is not None for r in alive)

    assert len(rec.history) == len(expected) <= runhistory.MAX_EPOCHS_KEPT
    assert list(rec.history) == expected and rec.history[-1].epoch == 4000
    epochs, acc = rec.history.column("test_accuracy")
    assert list(epochs) == [r.epoch for r in expected if r.test_accuracy is not None]
    assert list(acc) == [r.test_accuracy for r in expected if r.test_accuracy is not None]
    assert rec.test_accuracy == 3999 / 5000


def _good_file(tmp_path, trained) -> bytes:
    run, trainer = trained
    h = RunHistory(tmp_path / "good.json")
    h.add(RunRecord.of("a run", run, trainer))
    h.save()
    return (tmp_path / "good.json").read_bytes()


def _hostile(tmp_path, trained):
    good = _good_file(tmp_path, trained)
    d = json.loads(good)
    rec = d["runs"][0]
    yield "truncated", good[: len(good) // 2]
    yield "not JSON", b"\x00\xff garbage"
    yield "a list", b"[1, 2, 3]"
    yield "wrong format", json.dumps({**d, "format": "something else"}).encode()
    yield "NaN accuracy", json.dumps({**d, "runs": [{**rec, "test_accuracy": float("nan")}]}).encode()
    yield "accuracy above 1", json.dumps({**d, "runs": [{**rec, "test_accuracy": 3.0}]}).encode()
    yield "bad spec", json.dumps({**d, "runs": [{**rec, "run": {**rec["run"], "version": "x"}}]}).encode()
    yield "bad network", json.dumps({**d, "runs": [{**rec, "run": {**rec["run"], "network": {"sizes": [2]}}}]}).encode()
    yield "extra key", json.dumps({**d, "runs": [{**rec, "evil": 1}]}).encode()
    yield "name not text", json.dumps({**d, "runs": [{**rec, "name": ["x"]}]}).encode()
    yield "duplicate ids", json.dumps({**d, "runs": [rec, rec]}).encode()
    yield "deep nesting", b"[" * 100000 + b"]" * 100000
    yield "many values", b'{"format": "nn-playground-history", "version": 1, "runs": [' + b"{}," * 2_000_000 + b"{}]}"


def test_an_unreadable_file_is_set_aside_with_a_message(tmp_path, trained):
    for label, data in _hostile(tmp_path, trained):
        folder = tmp_path / label.replace(" ", "-")
        folder.mkdir()
        path = folder / "history.json"
        path.write_bytes(data)
        h = RunHistory(path)
        assert h.records == [], label
        assert h.message and "could not be read" in h.message and "moved to" in h.message, label
        assert h.set_aside is not None and h.set_aside.read_bytes() == data, label   # nothing lost
        assert not path.exists(), label
        assert h.save() and RunHistory(path).message is None, label       # a new history starts


def test_a_huge_file_is_set_aside_unread(tmp_path):
    path = tmp_path / "history.json"
    with open(path, "wb") as f:
        f.truncate(runhistory.MAX_FILE_BYTES + 1)                        # sparse: no disk used
    h = RunHistory(path)
    assert h.records == [] and "MB, more than a history ever holds" in h.message
    assert h.set_aside.stat().st_size == runhistory.MAX_FILE_BYTES + 1


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_path_that_is_not_a_file_is_set_aside(tmp_path, kind):
    path = tmp_path / "history.json"
    if kind == "folder":
        path.mkdir()
        (path / "keep.txt").write_text("mine")
    else:
        os.mkfifo(path)
    h = RunHistory(path)                                    # a FIFO must not block the read
    assert h.records == [] and "not a file" in h.message
    assert (h.set_aside / "keep.txt").read_text() == "mine" if kind == "folder" else h.set_aside.exists()
    assert h.save() and path.is_file()


def test_a_newer_version_is_left_alone(tmp_path):
    path = tmp_path / "history.json"
    text = json.dumps({"format": runhistory.FORMAT_NAME, "version": runhistory.FORMAT_VERSION + 1, "runs": ["?"]})
    path.write_text(text)
    h = RunHistory(path)
    assert h.read_only and "newer nn-playground" in h.message and h.records == []
    h.add(RunRecord.of("a run", RunSpec.from_settings(SETTINGS)))
    assert h.save() is False and path.read_text() == text and h.set_aside is None


def test_the_env_var_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(runhistory.ENV, str(tmp_path / "elsewhere.json"))
    assert RunHistory().path == tmp_path / "elsewhere.json"


def test_a_full_disk_keeps_the_old_history_whole_and_says_so(tmp_path, trained, monkeypatch):
    run, trainer = trained
    path = tmp_path / "history.json"
    h = RunHistory(path)
    h.add(RunRecord.of("first", run, trainer, state="done"))
    assert h.save()
    old = path.read_bytes()
    h.add(RunRecord.of("second", run, trainer, state="done"))
    full = fill_disk(monkeypatch)
    with pytest.raises(runhistory.HistoryFileError, match="(?i)no space left.*unchanged"):
        h.save()
    full[0] = False
    assert path.read_bytes() == old and [p.name for p in tmp_path.iterdir()] == ["history.json"]
    assert [r.name for r in h.records] == ["first", "second"]        # nothing lost in memory
    assert h.save() and [r.name for r in RunHistory(path).records] == ["first", "second"]
