"""A trainer's epochs as rows (core.epochrows): they read back as the records appended, a reader
beside the appending thread sees every record once and whole, and a trainer keeps no record
object per epoch (each would pin Python's small-object memory for the run's life)."""
from __future__ import annotations

import gc
import random
import sys
import threading
from dataclasses import replace

from playground.core.epochrows import EpochRows
from playground.core.runspec import RunSpec
from playground.core.snapshot import EpochRecord


def _record(i: int, rng: random.Random) -> EpochRecord:
    maybe = lambda v: None if rng.random() < 0.3 else v      # noqa: E731  an empty split reads None
    return EpochRecord(epoch=i + 1, training_loss=maybe(1.0 / (i + 1)), training_accuracy=maybe(rng.random()),
                       validation_loss=maybe(rng.random()), validation_accuracy=maybe(rng.random()),
                       test_loss=maybe(rng.random() * 3), test_accuracy=maybe(rng.random()),
                       eta=rng.choice([0.5, 0.25, 0.125]), seconds=rng.random())


def test_appended_records_read_back_as_the_list_would():
    rng = random.Random(3)
    made = [_record(i, rng) for i in range(1000)]
    rows = EpochRows()
    for i, rec in enumerate(made):
        rows.append(rec)
        if i in (0, 63, 64, 500):                       # across the array's growth
            assert rows[-1] == rec and len(rows) == i + 1
    assert rows == made and list(rows) == made and list(reversed(rows)) == made[::-1]
    assert rows[10:20] == made[10:20] and rows[-3:] == made[-3:] and rows[7] == made[7]
    assert EpochRows(made) == rows and EpochRows(rows) == made and rows.last_epoch() == 1000
    epochs, values = rows.column("validation_loss")
    assert list(epochs) == [r.epoch for r in made if r.validation_loss is not None]
    assert list(values) == [r.validation_loss for r in made if r.validation_loss is not None]
    assert EpochRows() == [] and EpochRows().last_epoch() is None
    for name in ("test_accuracy", "training_loss"):
        newest = next((getattr(r, name) for r in reversed(made) if getattr(r, name) is not None), None)
        assert rows.newest(name) == newest
    sparse = EpochRows([replace(made[0], test_accuracy=0.125)] + [replace(r, test_accuracy=None) for r in made[1:]])
    assert sparse.newest("test_accuracy") == 0.125                   # 999 rows back
    assert EpochRows(sparse[1:]).newest("test_accuracy") is None and EpochRows().newest("test_loss") is None


def test_a_reader_beside_the_appending_thread_sees_every_record_once_and_whole():
    """As the window reads a run: the length, then the new rows, while the trainer appends."""
    n = 30_000
    rows = EpochRows()
    made = [EpochRecord(epoch=i, training_loss=float(i), training_accuracy=None, validation_loss=None,
                        validation_accuracy=None, test_loss=-float(i), test_accuracy=i / n, eta=0.1,
                        seconds=2.0 * i) for i in range(n)]

    def append():
        for rec in made:
            rows.append(rec)

    writer = threading.Thread(target=append)
    seen: list[EpochRecord] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)         # switch threads as often as possible: races show at once
    try:
        writer.start()
        while writer.is_alive() or len(seen) < len(rows):
            if len(rows) > len(seen):
                seen.extend(rows[len(seen):])
        writer.join()
    finally:
        sys.setswitchinterval(interval)
    assert [r.epoch for r in seen] == list(range(n))                 # none missed, none twice
    assert all(r == m for r, m in zip(seen, made))                   # no half-written row


def test_a_trainer_keeps_no_record_object_per_epoch():
    run = RunSpec.from_settings({"dataset": "xor", "n_samples": 80, "hidden": [4], "epochs": 300, "seed": 2})
    trainer = run.trainer(chunk_seconds=0.05, probe_every=None)
    trainer.run()
    gc.collect()
    alive = sum(isinstance(o, EpochRecord) for o in gc.get_objects())
    assert len(trainer.history) == 300 and trainer.history[-1].epoch == 300
    assert alive < 5, f"{alive} EpochRecord objects alive after 300 epochs"
