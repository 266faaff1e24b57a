"""The run history: every run the window trained, kept across restarts in the user data folder
(``history.json``; NN_PLAYGROUND_HISTORY names another file, for tests and scripts).

    {"format": "nn-playground-history", "version": 1,
     "runs": [{"id", "name", "run": RunSpec.to_dict(), "test_accuracy", "seconds", "samples_seen",
               "history": [EpochRecord, ...], "created", "state", "path", "visible"}, ...]}

No parameters are kept (a run file holds those; ``path`` names one when the run was saved), so a
record is a few KB. The file is capped (MAX_RUNS records, MAX_FILE_BYTES): the oldest go first.
Every write goes through a temporary file renamed over the old one.

The file is untrusted input: a regular file only, size-capped, every record checked. One that
cannot be read (corrupt, truncated, too large, not a file, anything invalid in it) is renamed
aside with a time stamp, so nothing in it is lost, and ``message`` says so; the history starts
empty. A file written by a newer version is left as it is, and nothing is written over it.
"""
from __future__ import annotations

import json
import math
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .epochrows import EpochRows
from .errors import ModelFileError, PlaygroundError, SpecError
from .fileread import IrregularFile, open_regular, read_capped
from .persist import _atomic_write, _history_from, _parse_json, _record_to_json
from .runspec import RunSpec

ENV = "NN_PLAYGROUND_HISTORY"
FORMAT_NAME = "nn-playground-history"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 8 * 1024**2
MAX_RUNS = 200
MAX_EPOCHS_KEPT = 1000        # per run: a longer history is thinned (the last epoch always stays)
MAX_NAME = 200
_MEMBERS = frozenset({"format", "version", "runs"})
_RUN_MEMBERS = frozenset({"id", "name", "run", "test_accuracy", "seconds", "samples_seen", "history",
                          "created", "state", "path", "visible"})


class HistoryFileError(PlaygroundError):
    """The history file cannot be read or written (the message says which file and why)."""


class NewerHistoryFile(HistoryFileError):
    """The history file was written by a newer version: read nothing, overwrite nothing."""


def default_path() -> Path:
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("nn-playground")) / "history.json"


@dataclass
class RunRecord:
    name: str
    run: dict                                   # RunSpec.to_dict()
    test_accuracy: float | None = None
    seconds: float = 0.0
    samples_seen: int = 0
    history: EpochRows = field(default_factory=EpochRows)   # rows: they keep no trainer's records alive
    created: float = field(default_factory=time.time)
    state: str | None = None
    path: str | None = None                     # a run file this run was saved to / opened from
    visible: bool = True
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self):
        if not isinstance(self.history, EpochRows):
            self.history = EpochRows(self.history)

    def __repr__(self) -> str:
        acc = "-" if self.test_accuracy is None else f"{self.test_accuracy:.1%}"
        return f"RunRecord({self.name!r}, test {acc}, {self.samples_seen:,} samples)"

    def spec(self) -> RunSpec:
        return RunSpec.from_dict(self.run)

    @classmethod
    def of(cls, name: str, run: RunSpec, trainer=None, state: str | None = None, **kw) -> "RunRecord":
        """A record of ``run``; with ``trainer``, what it has done so far."""
        rec = cls(name=name, run=run.to_dict(), state=state, **kw)
        if trainer is not None:
            rec.update_from(trainer, state)
        return rec

    def update_from(self, trainer, state: str | None = None) -> None:
        rows = trainer.history if isinstance(trainer.history, EpochRows) else EpochRows(trainer.history)
        last = rows.last_epoch()
        if last is not None and last != self.history.last_epoch():
            # the run list polls finished runs too, every second: nothing redone for nothing
            self.history = rows.thinned(MAX_EPOCHS_KEPT)
            self.test_accuracy = rows.newest("test_accuracy")
        self.seconds = float(trainer.elapsed)
        self.samples_seen = int(trainer.samples_seen)
        if state is not None:
            self.state = state

    def to_json(self) -> dict:
        d = {k: getattr(self, k) for k in _RUN_MEMBERS}
        d["history"] = [_record_to_json(r) for r in self.history]
        return d

    @classmethod
    def from_json(cls, d) -> "RunRecord":
        """A record read from the file; HistoryFileError for anything a record never holds."""
        if not isinstance(d, dict) or set(d) != _RUN_MEMBERS:
            raise HistoryFileError(f"a run record must have exactly the entries {', '.join(sorted(_RUN_MEMBERS))}")
        for key, kind in (("id", str), ("name", str), ("visible", bool)):
            if not isinstance(d[key], kind):
                raise HistoryFileError(f"a run record's {key!r} is not a {kind.__name__}")
        if not 0 < len(d["id"]) <= 64 or len(d["name"]) > MAX_NAME:
            raise HistoryFileError("a run record's id or name is too long")
        for key, optional in (("test_accuracy", True), ("seconds", False), ("created", False)):
            v = d[key]
            if v is None and optional:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise HistoryFileError(f"a run record's {key!r} must be a finite number of at least 0")
        if d["test_accuracy"] is not None and d["test_accuracy"] > 1:
            raise HistoryFileError("a run record's test accuracy is above 100 %")
        if isinstance(d["samples_seen"], bool) or not isinstance(d["samples_seen"], int) or d["samples_seen"] < 0:
            raise HistoryFileError("a run record's 'samples_seen' must be a whole number of at least 0")
        for key in ("state", "path"):
            if d[key] is not None and (not isinstance(d[key], str) or len(d[key]) > 4096):
                raise HistoryFileError(f"a run record's {key!r} must be text")
        try:
            RunSpec.from_dict(d["run"])
            history = _history_from(d["history"])
        except (SpecError, ModelFileError) as e:
            raise HistoryFileError(f"run {d['name']!r}: {e}") from None
        return cls(name=d["name"], run=d["run"], test_accuracy=d["test_accuracy"], seconds=float(d["seconds"]),
                   samples_seen=d["samples_seen"], history=history, created=float(d["created"]),
                   state=d["state"], path=d["path"], visible=d["visible"], id=d["id"])


class RunHistory:
    """The records, oldest first; ``message`` is None, or what happened to an unreadable file."""

    def __init__(self, path=None, *, max_runs: int = MAX_RUNS, max_bytes: int = MAX_FILE_BYTES,
                 clock=time.time):
        self.path = Path(path) if path is not None else default_path()
        self.max_runs = max_runs
        self.max_bytes = max_bytes
        self._clock = clock
        self.records: list[RunRecord] = []
        self.message: str | None = None
        self.read_only = False          # a newer version's file, or one that could not be moved aside
        self.set_aside: Path | None = None
        self._load()

    def __repr__(self) -> str:
        return f"RunHistory({str(self.path)!r}, {len(self.records)} runs)"

    def __len__(self) -> int:
        return len(self.records)

    # ------------------------------------------------------------------ reading
    def _load(self) -> None:
        try:
            os.lstat(self.path)
        except FileNotFoundError:
            return
        except OSError as e:
            self._refuse(f"it cannot be reached ({e.strerror or e})")
            return
        try:
            self.records = self._read()
        except NewerHistoryFile:
            self.read_only = True
            self.message = (f"The run history {self.path} was written by a newer nn-playground. It is left "
                            f"unchanged, so the runs of this session are not kept after it closes.")
        except HistoryFileError as e:
            self._move_aside(str(e))

    def _read(self) -> list[RunRecord]:
        try:
            with open_regular(self.path) as f:
                size = os.fstat(f.fileno()).st_size
                if size > self.max_bytes:
                    raise HistoryFileError(f"it is {size / 1024**2:,.1f} MB, more than a history ever holds "
                                           f"({self.max_bytes / 1024**2:,.0f} MB)")
                raw = read_capped(f, self.max_bytes, "the run history")
        except IrregularFile as e:
            raise HistoryFileError(str(e)) from None
        except OSError as e:
            raise HistoryFileError(f"it cannot be read ({e.strerror or e})") from None
        try:
            d = _parse_json(raw, what="a run history", hint="")
        except ModelFileError as e:
            raise HistoryFileError(str(e)) from None
        except (ValueError, RecursionError, MemoryError) as e:
            raise HistoryFileError(f"it is not valid JSON ({type(e).__name__})") from None
        if not isinstance(d, dict) or d.get("format") != FORMAT_NAME:
            raise HistoryFileError(f"it is not an nn-playground run history (no \"format\": \"{FORMAT_NAME}\")")
        version = d.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise HistoryFileError("it has no whole-number version")
        if version > FORMAT_VERSION:
            raise NewerHistoryFile(f"it is version {version}; this playground reads up to {FORMAT_VERSION}")
        if set(d) != _MEMBERS or not isinstance(d["runs"], list) or len(d["runs"]) > self.max_runs:
            raise HistoryFileError(f"its entries are not 'format', 'version' and a list of at most "
                                   f"{self.max_runs} 'runs'")
        records = [RunRecord.from_json(r) for r in d["runs"]]
        if len({r.id for r in records}) != len(records):
            raise HistoryFileError("two runs in it have the same id")
        return records

    def _move_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._clock()))
        aside = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while os.path.lexists(aside):
            n += 1
            aside = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
        try:
            os.rename(self.path, aside)
        except OSError as e:
            self._refuse(f"{reason}, and it could not be moved aside ({e.strerror or e})")
            return
        self.set_aside = aside
        self.message = (f"The run history {self.path} could not be read: {reason}. It was moved to "
                        f"{aside.name} (nothing in it is lost) and a new history was started.")

    def _refuse(self, reason: str) -> None:
        self.read_only = True
        self.message = (f"The run history {self.path} could not be read: {reason}. It is left as it is, "
                        f"so the runs of this session are not kept after it closes.")

    # ------------------------------------------------------------------ changing
    def get(self, run_id: str) -> RunRecord | None:
        return next((r for r in self.records if r.id == run_id), None)

    def add(self, record: RunRecord) -> RunRecord:
        """Add ``record`` (or replace the one with its id)."""
        for i, r in enumerate(self.records):
            if r.id == record.id:
                self.records[i] = record
                return record
        self.records.append(record)
        return record

    def remove(self, run_id: str) -> bool:
        n = len(self.records)
        self.records = [r for r in self.records if r.id != run_id]
        return len(self.records) != n

    def rename(self, run_id: str, name: str) -> RunRecord:
        name = " ".join(str(name).split())
        if not name:
            raise SpecError("A run's name cannot be empty.")
        if len(name) > MAX_NAME:
            raise SpecError(f"A run's name can be at most {MAX_NAME} characters.")
        rec = self.get(run_id)
        if rec is None:
            raise SpecError("That run is no longer in the history.")
        rec.name = name
        return rec

    # ------------------------------------------------------------------ writing
    def _fitted(self) -> list[str]:
        """The records as JSON text, oldest dropped until the count and the byte cap are met."""
        texts = [json.dumps(r.to_json(), allow_nan=False, separators=(",", ":")) for r in self.records]
        overhead = 200
        while texts and (len(texts) > self.max_runs or sum(map(len, texts)) + len(texts) + overhead > self.max_bytes):
            texts.pop(0)
        return texts

    def save(self) -> bool:
        """Write the history (oldest runs dropped to fit the caps); False when this file is not
        ours to write (see read_only). HistoryFileError when it cannot be written."""
        if self.read_only:
            return False
        texts = self._fitted()
        dropped = len(self.records) - len(texts)
        if dropped:
            self.records = self.records[dropped:]
        body = (f'{{"format":"{FORMAT_NAME}","version":{FORMAT_VERSION},"runs":[' + ",".join(texts) + "]}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(self.path, lambda f: f.write(body.encode("utf-8")))
        except (OSError, ModelFileError) as e:
            msg = e.strerror if isinstance(e, OSError) else str(e)
            raise HistoryFileError(f"Cannot keep the run history in {self.path}: {msg}") from None
        return True

