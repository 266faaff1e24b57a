"""Run files (``.nnrun``): one JSON object holding a RunSpec and, optionally, what the run produced
(its parameters and epoch history). Running the spec again on the same machine reproduces the run:
the same data, initial weights, batch order and curves.

    {"format": "nn-playground-run", "version": 1,
     "run": RunSpec.to_dict(),
     "result": {"state": "done", "epoch": 20, "step": ..., "samples_seen": ...,      (optional)
                "history": [EpochRecord, ...],
                "params": {"dtype": "float32", "count": N, "base64": "..."}}}

The parameters are the raw little-endian floats in base64: exact, a third larger than binary, and
one JSON value however large the network. A run file is untrusted input, read like a model file
(core.persist): regular files only, a byte cap, the JSON value budget counted before parsing,
every entry checked, sizes checked before anything is allocated, a newer version refused.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ModelFileError, PlaygroundError, RunFileError, SpecError
from .fileread import IrregularFile, open_regular, read_capped
from .persist import MAX_JSON_BYTES, _atomic_write, _history_from, _parse_json, _record_to_json, check_can_save
from .runspec import RunSpec, check_version
from .snapshot import EpochRecord

FORMAT_NAME = "nn-playground-run"
FORMAT_VERSION = 1
SUFFIX = ".nnrun"
STATES = ("done", "stopped", "diverged", "early_stopped")
_MEMBERS = frozenset({"format", "version", "run", "result"})
_RESULT_MEMBERS = frozenset({"state", "epoch", "step", "samples_seen", "history", "params", "edited"})
_COUNTERS = ("epoch", "step", "samples_seen")


@dataclass
class RunFile:
    run: RunSpec
    params: np.ndarray | None = None        # the trained parameters (flat, the network's dtype)
    history: list[EpochRecord] = field(default_factory=list)
    state: str | None = None                 # how the run ended, one of STATES
    counters: dict = field(default_factory=dict)   # epoch, step, samples_seen when it was saved
    edited: bool = False                     # a weight was typed in by hand: training the spec again differs
    path: Path | None = None

    @property
    def trained(self) -> bool:
        return self.params is not None

    def network(self):
        """The trained network (or, without parameters, the run's initial one)."""
        from .network import Network
        if self.params is None:
            return self.run.build_network()
        return Network.from_params(self.run.network, self.params, seed=self.run.seed)

    def trainer(self, dataset=None, **kw):
        """A Trainer at the end of the saved run (trained parameters, history, epoch and step
        counters), to look at or train further; ``self.run.trainer()`` replays it from the start."""
        from .persist import LoadedModel
        from .trainer import Trainer
        if self.params is None:
            return self.run.trainer(dataset, **kw)
        saved = LoadedModel(self.network(), self.run.train, list(self.history), self.run.data.name,
                            dict(self.counters))
        return Trainer.from_saved(saved, dataset if dataset is not None else self.run.load_dataset(),
                                  self.run.train, **kw)


# ============================================================================ writing
def check_can_save_run(path) -> None:
    """Refuse, before any training, a run file that cannot be written (no folder, not writable)."""
    check_can_save(None, path)          # the native format needs nothing of the network


def save_run(path, run: RunSpec, trainer=None, state: str | None = None, edited: bool = False) -> Path:
    """Write ``run`` to ``path`` (``.nnrun`` appended when there is no suffix); with ``trainer``, also
    its parameters, history and counters, and ``"edited": true`` if a weight was set by hand (its
    parameters then no longer follow from the spec). Written to a temporary file and renamed over ``path``."""
    path = Path(path)
    if path.suffix == "":
        path = path.with_name(path.name + SUFFIX)
    run.validate()
    d = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "run": run.to_dict()}
    if trainer is not None:
        d["result"] = _result(trainer, state)
        if edited:
            d["result"]["edited"] = True
    text = json.dumps(d, allow_nan=False)
    _atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    return path


def _result(trainer, state) -> dict:
    params = np.asarray(trainer.network.params)
    if not np.all(np.isfinite(params)):
        raise RunFileError("The network's parameters contain NaN or infinity; there is nothing sensible to save.")
    le = params.astype(params.dtype.newbyteorder("<"), copy=False)
    return {
        "state": state if state in STATES else None,
        "epoch": int(trainer.epoch), "step": int(trainer.step), "samples_seen": int(trainer.samples_seen),
        "history": [_record_to_json(r) for r in trainer.history],
        "params": {"dtype": params.dtype.name, "count": int(params.size),
                   "base64": base64.b64encode(le.tobytes()).decode("ascii")},
    }


# ============================================================================ reading
def load_run(path) -> RunFile:
    """Read a ``.nnrun`` file. Raises RunFileError saying what is wrong with it."""
    path = Path(path)
    try:
        with open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_JSON_BYTES:
                raise RunFileError(f"{path.name} is {size / 1024**2:,.0f} MiB, larger than any run file "
                                   f"({MAX_JSON_BYTES / 1024**2:,.0f} MiB at most).")
            raw = read_capped(f, MAX_JSON_BYTES, "the run file")
    except OSError as e:
        raise RunFileError(f"Cannot read {path}: {e.strerror or e}.") from None
    except IrregularFile as e:
        raise RunFileError(f"{e}: choose a {SUFFIX} run file.") from None
    try:
        rf = _from_dict(_parse_json(raw, what="a run file", hint=""))
    except ModelFileError as e:
        raise RunFileError(f"{path.name}: {e}") from None
    except (SpecError, PlaygroundError) as e:
        raise RunFileError(f"{path.name}: the run it describes is invalid: {e}") from None
    except (KeyError, TypeError, ValueError, OverflowError, RecursionError, MemoryError) as e:
        raise RunFileError(f"{path.name} is not a readable run file ({type(e).__name__}: {e}).") from None
    rf.path = path
    return rf


def _from_dict(d) -> RunFile:
    if not isinstance(d, dict) or d.get("format") != FORMAT_NAME:
        raise RunFileError(f"it is not an nn-playground run file (no \"format\": \"{FORMAT_NAME}\")")
    check_version(d, FORMAT_VERSION, "The run file", RunFileError)
    unknown = sorted(map(str, set(d) - _MEMBERS))
    if unknown:
        raise RunFileError(f"it has entries a run file never has: {', '.join(map(repr, unknown[:5]))}")
    run = RunSpec.from_dict(d.get("run"))
    run.check_memory()                   # before the parameters are decoded
    rf = RunFile(run)
    result = d.get("result")
    if result is not None:
        _read_result(rf, result)
    return rf


def _read_result(rf: RunFile, result) -> None:
    if not isinstance(result, dict):
        raise RunFileError("its 'result' is not an object")
    unknown = sorted(map(str, set(result) - _RESULT_MEMBERS))
    if unknown:
        raise RunFileError(f"its result has entries a run file never has: {', '.join(map(repr, unknown[:5]))}")
    state = result.get("state")
    if state is not None and state not in STATES:
        raise RunFileError(f"its result state {state!r} is not one of {', '.join(STATES)}")
    rf.state = state
    edited = result.get("edited", False)
    if not isinstance(edited, bool):
        raise RunFileError("its result's 'edited' must be true or false")
    rf.edited = edited
    for key in _COUNTERS:
        v = result.get(key, 0)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise RunFileError(f"its result's {key!r} must be a whole number of at least 0")
        rf.counters[key] = v
    rf.history = _history_from(result.get("history"))
    if result.get("params") is not None:
        rf.params = _params(result["params"], rf.run.network)


def _params(p, spec) -> np.ndarray:
    """The flat parameters, their size checked against the network before anything is decoded."""
    if not isinstance(p, dict) or set(p) != {"dtype", "count", "base64"}:
        raise RunFileError("its parameters must be an object with 'dtype', 'count' and 'base64'")
    if p["dtype"] != spec.dtype:
        raise RunFileError(f"its parameters are {p['dtype']!r} but the network is {spec.dtype}")
    n = spec.n_params
    if p["count"] != n or isinstance(p["count"], bool):
        raise RunFileError(f"it holds {p['count']!r} parameters, but the network it describes has {n:,}")
    text = p["base64"]
    nbytes = n * spec.itemsize
    if not isinstance(text, str) or len(text) != 4 * -(-nbytes // 3):
        raise RunFileError(f"its parameter data is not the {nbytes:,} bytes the network needs")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RunFileError("its parameter data is not valid base64") from None
    if len(raw) != nbytes:
        raise RunFileError(f"its parameter data is not the {nbytes:,} bytes the network needs")
    params = np.frombuffer(raw, dtype=np.dtype(spec.dtype).newbyteorder("<")).astype(spec.dtype)
    if not np.all(np.isfinite(params)):
        raise RunFileError("its parameters contain NaN or infinity")
    return params
