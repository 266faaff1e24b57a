"""Saving and loading models: our native format and Nielsen's network2 JSON.

Native: small models (<= JSON_MAX_PARAMS parameters) as one readable ``.json``; larger ones as
``.npz`` holding ``params.npy`` (flat float32/float64) and ``meta.npy`` (the same JSON metadata
as uint8 bytes). Never pickle, in either direction.

Nielsen: ``{"sizes", "weights" (n_out x n_in lists), "biases" (n_out x 1 lists), "cost"}``, exactly
what network2.save() writes and network2.load() reads; such networks are sigmoid everywhere.

A model file is untrusted input. Only regular files are read, up to a byte cap; JSON is
bounded in values and nesting counted on the text before it is parsed (JSON grows ~20x in
memory). Everything is checked before it is believed, and believed only as far as the spec allows: sizes go through NetworkSpec validation and the memory limit
before anything is allocated; for .npz the array headers and the zip's declared member sizes
are compared with what the spec implies before a byte of array data is read. Every failure is
a ModelFileError saying what is wrong with the file. Saving writes a temporary file and renames
it over the target, so a failed save never destroys the previous file.
"""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from .errors import Cancelled, ModelFileError, PlaygroundError, SpecError
from .fileread import IrregularFile, open_regular, read_capped, remove_stale
from .snapshot import EpochRecord
from .spec import MAX_SEED, NetworkSpec, TrainConfig

FORMAT_NAME = "nn-playground"
FORMAT_VERSION = 1
JSON_MAX_PARAMS = 200_000            # above this, .npz: JSON text would be ~20 bytes per parameter
MAX_JSON_BYTES = 256 * 1024**2       # parsing JSON costs several times its size in Python objects
MAX_META_BYTES = 16 * 1024**2
MAX_NPY_HEADER = 64 * 1024
MAX_FILE_BYTES = 4 * 1024**3
# JSON costs far more in memory than on disk (an empty {} is 3 bytes of text, ~70 bytes as a dict),
# so the number of values is bounded too, counted on the raw text before parsing. A native JSON
# model holds at most JSON_MAX_PARAMS numbers; a 784-1000-1000-10 network2 file ~1.8 million.
MAX_JSON_VALUES = 10_000_000         # numbers, strings, ... (at most ~320 MB of Python floats)
MAX_JSON_CONTAINERS = 1_000_000      # objects and lists (network2 has 2 per neuron; a native model ~10 + history)
MAX_INT_DIGITS = 30                  # sizes, epochs and seeds (< 2**63) have at most 19 digits
NATIVE_MEMBERS = frozenset({"format", "version", "spec", "config", "history", "dataset_name", "seed",
                            "n_params", "extras", "params", "input", "class_names", "provenance", "run"})
NIELSEN_COSTS = {"CrossEntropyCost": "cross_entropy", "QuadraticCost": "quadratic"}
_ZIP_MAGIC = b"PK\x03\x04"
_RECORD_FIELDS = tuple(f.name for f in fields(EpochRecord))


@dataclass
class LoadedModel:
    network: object                         # playground.core.network.Network
    config: TrainConfig | None
    history: list[EpochRecord]
    dataset_name: str | None
    extras: dict = field(default_factory=dict)
    format: str = "native"                  # "native-json" | "native-npz" | "nielsen"
    path: Path | None = None
    # Optional fields (older files lack them): how pixels become the input, what the outputs mean,
    # and where a shipped model came from.
    input_transform: object = None          # playground.core.transform.InputTransform
    class_names: tuple | None = None
    provenance: dict | None = None
    run: object = None                      # playground.core.runspec.RunSpec: the whole run it came from


# ============================================================================ saving
def save_model(path, network, config: TrainConfig | None = None, history=None, dataset_name: str | None = None,
               format: str = "native", *, extras: dict | None = None, input_transform=None,
               class_names=None, provenance: dict | None = None, run=None) -> Path:
    """Write ``network`` (plus settings and history) to ``path``; returns the path written.

    format "native": .json or .npz by the path's extension, or by size when it has neither
    (the extension is then appended). format "nielsen": network2 JSON (sigmoid networks only).
    """
    path = Path(path)
    params = np.asarray(network.params)
    if not np.all(np.isfinite(params)):
        raise ModelFileError("The network's parameters contain NaN or infinity, so there is nothing sensible "
                             "to save. Reset the network (or reload a saved one) first.")
    if format == "nielsen":
        if path.suffix == "":
            path = path.with_name(path.name + ".json")
        text = json.dumps(_nielsen_dict(network), allow_nan=False)
        _atomic_write(path, lambda f: f.write(text.encode("utf-8")))
        return path
    if format != "native":
        raise SpecError(f"Unknown model format {format!r}: choose native or nielsen.")

    suffix = path.suffix.lower()
    if suffix not in (".json", ".npz"):
        suffix = ".json" if network.spec.n_params <= JSON_MAX_PARAMS else ".npz"
        path = path.with_name(path.name + suffix)
    meta = _meta_dict(network, config, history, dataset_name, extras)
    meta.update(_optional_fields(input_transform, class_names, provenance))
    if run is not None:
        meta["run"] = run.to_dict()
    if suffix == ".json":
        meta["params"] = params.tolist()            # float32 -> exact float64 -> repr round-trips
        text = json.dumps(meta, allow_nan=False)
        _atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    else:
        meta_bytes = np.frombuffer(json.dumps(meta, allow_nan=False).encode("utf-8"), dtype=np.uint8)
        _atomic_write(path, lambda f: np.savez(f, meta=meta_bytes, params=np.ascontiguousarray(params)))
    return path


def _meta_dict(network, config, history, dataset_name, extras) -> dict:
    try:
        json.dumps(extras or {}, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise SpecError(f"Model extras must be plain JSON values: {e}") from None
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "spec": network.spec.to_dict(),
        "config": config.to_dict() if config is not None else None,
        "history": [_record_to_json(r) for r in (history or [])],
        "dataset_name": dataset_name,
        "seed": int(getattr(network, "seed", 1)),
        "n_params": int(network.spec.n_params),
        "extras": dict(extras or {}),
    }


def _optional_fields(input_transform, class_names, provenance) -> dict:
    out = {}
    if input_transform is not None:
        out["input"] = input_transform.to_dict()
    if class_names is not None:
        out["class_names"] = [str(c) for c in class_names]
    if provenance is not None:
        try:
            json.dumps(provenance, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise SpecError(f"Model provenance must be plain JSON values: {e}") from None
        out["provenance"] = dict(provenance)
    return out


def _record_to_json(r: EpochRecord) -> dict:
    out = {}
    for k, v in r.to_dict().items():
        if isinstance(v, float) and not math.isfinite(v):
            v = None        # JSON has no NaN; an unmeasurable value is "not measured"
        out[k] = v
    return out


def check_can_save(spec: NetworkSpec, path, format: str = "native") -> None:
    """Refuse, before any training, a save that is bound to fail afterwards: a format that
    cannot describe ``spec`` or a folder that does not exist or cannot be written."""
    if format not in ("native", "nielsen"):
        raise SpecError(f"Unknown model format {format!r}: choose native or nielsen.")
    if format == "nielsen":
        _nielsen_cost(spec)
    folder = Path(path).parent
    if not folder.is_dir():
        raise ModelFileError(f"Cannot save to {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ModelFileError(f"Cannot save to {path}: the folder {folder} is not writable.")


def _nielsen_cost(spec: NetworkSpec) -> str:
    """network2's cost class name for ``spec``, or a SpecError if network2 cannot describe it."""
    cost = {v: k for k, v in NIELSEN_COSTS.items()}.get(spec.cost)
    if (cost is None or spec.output_activation != "sigmoid"
            or any(a != "sigmoid" for a in spec.hidden_activations)):
        raise SpecError(
            "Nielsen's network2 format only describes sigmoid networks (hidden and output) with "
            "cross-entropy or quadratic cost, so this network would load back as a different one. "
            "Save it in the native format instead.")
    return cost


def _nielsen_dict(network) -> dict:
    spec = network.spec
    cost = _nielsen_cost(spec)
    return {
        "sizes": [int(s) for s in spec.sizes],
        "weights": [np.asarray(W, dtype=np.float64).tolist() for W in network.weights],
        "biases": [np.asarray(b, dtype=np.float64).reshape(-1, 1).tolist() for b in network.biases],
        "cost": cost,
    }


STALE_SECONDS = 600     # a save's temporary older than this was left by a killed process


def remove_stale_temporaries(path: Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete ``.<name>.XXXXXXXX.tmp`` files a killed save of ``path`` left beside it (only that
    exact pattern, only older than ``older_than`` seconds: a save running now is not touched)."""
    pattern = re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}\.tmp")      # mkstemp's names
    return remove_stale(path.parent if str(path.parent) else Path("."), pattern, older_than)


def _atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same folder, then rename over ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise ModelFileError(f"Cannot save to {path}: {e.strerror or e}.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))    # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise ModelFileError(f"Cannot save to {path}: {e.strerror or e}. The previous file is unchanged.") from None
        raise


def _file_mode(path: Path) -> int:
    """The existing file's mode, or what open() would give a new file (0666 minus the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        pass
    umask = 0o022
    try:   # read, not set: os.umask() would change it for every thread for a moment
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o666 & ~umask


# ============================================================================ loading
def load_model(path, progress=None) -> LoadedModel:
    """Read a native (.json/.npz) or Nielsen network2 model file. Raises ModelFileError.

    ``progress(fraction)`` (0..1), if given, is called now and then while a large file is read and
    parsed; it may raise Cancelled to stop the load, which then raises Cancelled.
    """
    path = Path(path)
    try:
        f = open_regular(path)
    except OSError as e:
        raise ModelFileError(f"Cannot read {path}: {e.strerror or e}.") from None
    except IrregularFile as e:
        raise ModelFileError(f"{e}: choose a .json or .npz model file.") from None
    with f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise ModelFileError(f"{path} is {size / 1024**3:.1f} GiB, larger than any model this playground makes.")
        try:
            head = f.read(4)
            f.seek(0)
            if head == _ZIP_MAGIC:
                model = _load_npz(f)
            else:
                model = _load_json(f, size, progress)
        except Cancelled:
            raise
        except (ModelFileError, IrregularFile) as e:
            raise ModelFileError(f"{path.name}: {e}") from None
        except (SpecError, PlaygroundError) as e:
            raise ModelFileError(f"{path.name}: the stored settings are invalid: {e}") from None
        except OSError as e:
            raise ModelFileError(f"Cannot read {path}: {e.strerror or e}.") from None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError,
                MemoryError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError) as e:
            raise ModelFileError(f"{path.name} is not a readable model file ({type(e).__name__}: {e}).") from None
    model.path = path
    return model


def _reject_constant(name):
    raise ModelFileError(f"the file contains {name}, but model values must be finite numbers")


class _Values:
    """json.loads hooks: refuse absurd integers, report progress, and (being Python functions)
    let other threads take the GIL during a long parse, so the window stays responsive."""

    def __init__(self, total: int, progress):
        self.total, self.progress, self.seen = max(total, 1), progress, 0

    def _tick(self):
        self.seen += 1
        if not self.seen & 0xFFFF and self.progress is not None:
            self.progress(0.5 + 0.5 * min(self.seen / self.total, 1.0))

    def float(self, text: str) -> float:
        self._tick()
        return float(text)

    def int(self, text: str) -> int:
        digits = len(text) - text.startswith("-")
        if digits > MAX_INT_DIGITS:
            raise ModelFileError(f"it holds a whole number with {digits:,} digits; no value in a model has "
                                 f"more than {MAX_INT_DIGITS}, so the file is corrupt or hostile")
        self._tick()
        return int(text)


def _parse_json(raw: bytes, progress=None, what: str = "a model", hint: str = "; large models are saved as .npz"):
    # Counted on the text first, so a file of a million empty {} is refused before it costs memory.
    # Braces or commas inside strings are counted too: the bound is only ever conservative.
    containers = raw.count(b"{") + raw.count(b"[")
    values = raw.count(b",") + 1
    if containers > MAX_JSON_CONTAINERS or values > MAX_JSON_VALUES:
        raise ModelFileError(
            f"it holds about {values:,} JSON values in {containers:,} objects and lists, more than {what} "
            f"may ({MAX_JSON_VALUES:,} values, {MAX_JSON_CONTAINERS:,} objects and lists){hint}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError("it is not a text (UTF-8 JSON) file") from None
    hooks = _Values(values, progress)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=hooks.float, parse_int=hooks.int)
    except json.JSONDecodeError as e:
        raise ModelFileError(f"it is not valid JSON (truncated or corrupt: {e.msg} at line {e.lineno})") from None
    except RecursionError:
        raise ModelFileError(f"its JSON is nested far too deeply to be {what}") from None


def _load_json(f, size: int, progress=None) -> LoadedModel:
    if size > MAX_JSON_BYTES:
        raise ModelFileError(f"a {size / 1024**2:.0f} MiB JSON model is too large; large models are saved as .npz")
    read = None if progress is None else (lambda done, total: progress(0.5 * min(done / max(total, 1), 1.0)))
    raw = read_capped(f, MAX_JSON_BYTES, "the JSON model", read, size)
    d = _parse_json(raw, progress)
    if not isinstance(d, dict):
        raise ModelFileError("it is JSON, but not a model (expected an object at the top level)")
    if "format" in d:
        unknown = sorted(set(d) - NATIVE_MEMBERS)
        if unknown:
            raise ModelFileError(f"it has entries a playground model never has: {', '.join(map(repr, unknown[:5]))}")
        return _from_native(d, params=None, fmt="native-json")
    if "sizes" in d and "weights" in d:
        return _from_nielsen(d)
    raise ModelFileError("it is JSON, but neither a playground model nor a Nielsen network2 model")


def _require(d: dict, key: str, types, what: str):
    if key not in d:
        raise ModelFileError(f"{what} has no {key!r} entry")
    v = d[key]
    if not isinstance(v, types) or isinstance(v, bool):      # bool is an int to Python, not to us
        raise ModelFileError(f"{what}: {key!r} has the wrong type ({type(v).__name__})")
    return v


def _numbers(value, shape: tuple, what: str, dtype) -> np.ndarray:
    """A nested list of plain numbers with exactly ``shape``, as a finite array of ``dtype``."""
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):
        raise ModelFileError(f"{what} is not a rectangular array of numbers") from None
    if a.dtype.kind not in "iuf":
        raise ModelFileError(f"{what} must contain only numbers")
    if a.shape != shape:
        raise ModelFileError(f"{what} has shape {a.shape}, but the layer sizes need {shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        out = a.astype(dtype)
    if not np.all(np.isfinite(out)):
        raise ModelFileError(f"{what} contains NaN, infinity or numbers too large for {np.dtype(dtype).name}")
    return out


def _spec_from(d, batch_size: int = 10) -> NetworkSpec:
    if not isinstance(d, dict):
        raise ModelFileError("the network description ('spec') is not an object")
    sizes = d.get("sizes")
    if not isinstance(sizes, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        raise ModelFileError("the layer sizes must be a list of whole numbers")
    try:
        spec = NetworkSpec.from_dict(d)
        spec.check_memory(batch_size=batch_size)  # before anything of that size is allocated
    except (SpecError, TypeError, ValueError) as e:
        raise ModelFileError(f"the network it describes is not allowed: {e}") from None
    return spec


def _config_from(d) -> TrainConfig | None:
    if d is None:
        return None
    if not isinstance(d, dict):
        raise ModelFileError("the training settings ('config') are not an object")
    try:
        return TrainConfig.from_dict(d)
    except (SpecError, TypeError, ValueError) as e:
        raise ModelFileError(f"the stored training settings are invalid: {e}") from None


def _history_from(items) -> list[EpochRecord]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ModelFileError("the training history is not a list")
    out = []
    for i, r in enumerate(items):
        if not isinstance(r, dict) or set(r) != set(_RECORD_FIELDS):
            raise ModelFileError(f"training history entry {i + 1} does not have the fields {', '.join(_RECORD_FIELDS)}")
        vals = {}
        for k in _RECORD_FIELDS:
            v = r[k]
            if k == "epoch":
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    raise ModelFileError(f"training history entry {i + 1}: epoch must be a whole number")
            elif v is None and k not in ("eta", "seconds"):
                pass
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ModelFileError(f"training history entry {i + 1}: {k} must be a finite number")
            else:
                v = float(v)
            vals[k] = v
        out.append(EpochRecord(**vals))
    return out


def _from_native(d: dict, params, fmt: str) -> LoadedModel:
    name = _require(d, "format", str, "the file")
    if name != FORMAT_NAME:
        raise ModelFileError(f"unknown model format {name!r} (expected {FORMAT_NAME!r})")
    version = _require(d, "version", int, "the file")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"it is format version {version}, but this playground reads version "
                             f"{FORMAT_VERSION}; it was probably written by a newer version")
    config = _config_from(d.get("config"))
    spec = _spec_from(_require(d, "spec", dict, "the file"), batch_size=config.batch_size if config else 10)
    history = _history_from(d.get("history"))
    dataset_name = d.get("dataset_name")
    if dataset_name is not None and not isinstance(dataset_name, str):
        raise ModelFileError("the dataset name is not text")
    extras = d.get("extras") or {}
    if not isinstance(extras, dict):
        raise ModelFileError("'extras' is not an object")
    seed = d.get("seed", 1)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < MAX_SEED:
        raise ModelFileError("the seed must be a non-negative whole number")
    if params is None:
        params = _numbers(_require(d, "params", list, "the file"), (spec.n_params,), "the parameter list",
                          spec.dtype)
    model = LoadedModel(_make_network(spec, params, seed), config, history, dataset_name, extras, fmt)
    _read_optional_fields(model, d, spec)
    return model


def _read_optional_fields(model: LoadedModel, d: dict, spec: NetworkSpec) -> None:
    if d.get("input") is not None:
        from .transform import InputTransform
        model.input_transform = InputTransform.from_dict(d["input"], spec.sizes[0])
    names = d.get("class_names")
    if names is not None:
        if (not isinstance(names, list) or len(names) != spec.sizes[-1]
                or not all(isinstance(c, str) and len(c) <= 100 for c in names)):
            raise ModelFileError(f"'class_names' must be a list of {spec.sizes[-1]} short texts, one per output")
        model.class_names = tuple(names)
    if d.get("run") is not None:
        from .runspec import RunSpec
        model.run = RunSpec.from_dict(d["run"])
        if model.run.network != spec:
            raise ModelFileError("its run describes a different network than the one it holds")
    prov = d.get("provenance")
    if prov is not None:
        if not isinstance(prov, dict):
            raise ModelFileError("'provenance' is not an object")
        model.provenance = prov


def _from_nielsen(d: dict) -> LoadedModel:
    cost_name = _require(d, "cost", str, "the network2 file")
    if cost_name not in NIELSEN_COSTS:
        # network2.load() would getattr() this name on its module; we only know these two.
        raise ModelFileError(f"unknown network2 cost {cost_name!r}: only {', '.join(NIELSEN_COSTS)} exist")
    sizes = _require(d, "sizes", list, "the network2 file")
    if not sizes or not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        raise ModelFileError("network2 'sizes' must be a list of whole numbers")
    spec = _spec_from({"sizes": sizes, "hidden_activations": ["sigmoid"] * max(len(sizes) - 2, 0),
                       "output_activation": "sigmoid", "cost": NIELSEN_COSTS[cost_name], "dtype": "float64"})
    weights = _require(d, "weights", list, "the network2 file")
    biases = _require(d, "biases", list, "the network2 file")
    L = spec.n_layers
    if len(weights) != L or len(biases) != L:
        raise ModelFileError(f"sizes {sizes} need {L} weight matrices and {L} bias vectors, "
                             f"found {len(weights)} and {len(biases)}")
    parts = []
    for l, (n_out, n_in) in enumerate(spec.layer_shapes):
        parts.append(_numbers(weights[l], (n_out, n_in), f"weights[{l}]", np.float64).ravel())
        parts.append(_numbers(biases[l], (n_out, 1), f"biases[{l}]", np.float64).ravel())
    params = np.concatenate(parts)
    return LoadedModel(_make_network(spec, params, 1), None, [], None, {}, "nielsen")


def _make_network(spec: NetworkSpec, params: np.ndarray, seed: int):
    from .network import Network
    return Network.from_params(spec, params, seed=seed)


# ---------------------------------------------------------------------------- npz
def _load_npz(f) -> LoadedModel:
    with zipfile.ZipFile(f) as zf:
        infos = {}
        for info in zf.infolist():
            if info.filename in infos:
                raise ModelFileError(f"the archive holds {info.filename!r} twice")
            infos[info.filename] = info
        for name in ("meta.npy", "params.npy"):
            if name not in infos:
                raise ModelFileError(f"the archive has no {name}; it is not a playground model")
        raw = _read_npy(zf, infos["meta.npy"], MAX_META_BYTES,
                        lambda dtype, shape: dtype == np.uint8 and len(shape) == 1)
        d = _parse_json(raw.tobytes())
        if not isinstance(d, dict):
            raise ModelFileError("its metadata is not a JSON object")
        if "params" in d:
            raise ModelFileError("its metadata also contains parameters; refusing an ambiguous file")
        config = _config_from(d.get("config"))
        spec = _spec_from(_require(d, "spec", dict, "the metadata"), config.batch_size if config else 10)
        n = spec.n_params
        expected = np.dtype(spec.dtype)
        params = _read_npy(zf, infos["params.npy"], n * expected.itemsize,
                           lambda dtype, shape: dtype.kind == "f" and dtype.itemsize == expected.itemsize
                           and shape == (n,))
    params = params.astype(expected)          # native byte order
    if not np.all(np.isfinite(params)):
        raise ModelFileError("the parameters contain NaN or infinity")
    return _from_native(d, params, "native-npz")


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_data: int, accept) -> np.ndarray:
    """Read one .npy member, checking sizes and the header before reading any data."""
    if info.flag_bits & 0x1:
        raise ModelFileError(f"{info.filename} is encrypted")
    limit = max_data + MAX_NPY_HEADER
    if info.file_size > limit:
        # A zip bomb declares (or a corrupt file claims) far more than the spec allows.
        raise ModelFileError(f"{info.filename} would unpack to {info.file_size:,} bytes, more than the "
                             f"{limit:,} this network can need")
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f, max_header_size=MAX_NPY_HEADER)
        else:
            raise ModelFileError(f"{info.filename} uses .npy version {version}, which is not supported")
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
            raise ModelFileError(f"{info.filename} holds Python objects or records; refusing to unpickle anything")
        if fortran or not accept(dtype, tuple(shape)):
            raise ModelFileError(f"{info.filename} holds a {dtype} array of shape {tuple(shape)}, "
                                 f"not what the network needs")
        count = int(np.prod(shape, dtype=np.int64))
        nbytes = count * dtype.itemsize
        if nbytes > max_data:
            raise ModelFileError(f"{info.filename} is larger than the network it describes")
        data = f.read(nbytes)
        if len(data) != nbytes:
            raise ModelFileError(f"{info.filename} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape)
