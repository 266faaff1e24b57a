"""Find the MNIST / Fashion-MNIST IDX files, downloading them once if nowhere else.

Search order (first complete set of four files wins):

1. the ``data_dir`` argument (CLI ``--data-dir``): the files themselves, or a
   ``mnist/`` / ``fashion-mnist/`` subfolder;
2. the folder in ``$NN_PLAYGROUND_DATA``, same layout;
3. the user cache, ``$NN_PLAYGROUND_CACHE`` or ``platformdirs.user_cache_dir("nn-playground")``,
   in ``<cache>/<name>/`` (only files whose hashes match: the cache is ours);
4. system folders from distribution packages (Debian ``dataset-fashion-mnist`` puts the
   four .gz files flat in ``/usr/share/datasets/fashion-mnist``);
5. a download with pooch into ``<cache>/<name>/``, each file's hash checked before it
   is kept.

Files the user points us at (1, 2, 4) are not required to match the hashes: they may be a
subset or re-compressed. ``read_idx`` still validates them, and ``identify`` checks that they
hold the dataset asked for (MNIST and Fashion-MNIST share names and shapes). Downloads stop at
each file's known size plus a margin.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from ..catalogue import DATASETS, TITLES
from ..errors import DataError
from ..fileread import remove_stale

DATA_ENV = "NN_PLAYGROUND_DATA"
CACHE_ENV = "NN_PLAYGROUND_CACHE"
APP_NAME = "nn-playground"
# (connect, read) seconds for requests: offline behind a black-holing network the connect
# timeout is what the user waits before the message listing every option, so keep it short.
DOWNLOAD_TIMEOUT = (5, 30)

# Keys used throughout the package -> canonical file names (Fashion-MNIST reuses them).
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
NIELSEN_PICKLE = "mnist.pkl.gz"

ProgressCallback = Callable[[str, int, "int | None"], None]   # (file name, bytes done, bytes total or None)


@dataclass(frozen=True)
class Remote:
    """Where to download a dataset, the hash each file must have (pooch syntax:
    ``"sha256:<hex>"``, ``"md5:<hex>"``, or bare hex meaning SHA-256) and its size in bytes."""
    base_url: str
    hashes: Mapping[str, str]
    sizes: Mapping[str, int] = field(default_factory=dict)


# A download stops (and its partial file is deleted) once it passes the file's known size by this
# margin: an endless or padded response cannot fill the disk before the hash check at the end.
SIZE_MARGIN = 64 * 1024
MAX_DOWNLOAD_BYTES = 64 * 1024**2      # for a file of unknown size (a mirror given with other hashes)
# Temporary files older than this in the cache are left over from a killed download.
STALE_SECONDS = 600


REMOTES = {
    # yann.lecun.com now refuses most clients; this is the mirror torchvision uses.
    "mnist": Remote("https://ossci-datasets.s3.amazonaws.com/mnist/", {
        "train-images-idx3-ubyte.gz": "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }, {"train-images-idx3-ubyte.gz": 9912422, "train-labels-idx1-ubyte.gz": 28881,
        "t10k-images-idx3-ubyte.gz": 1648877, "t10k-labels-idx1-ubyte.gz": 4542}),
    # The MD5 sums published in Zalando's README (no SHA-256 is published).
    "fashion-mnist": Remote("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", {
        "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
    }, {"train-images-idx3-ubyte.gz": 26421880, "train-labels-idx1-ubyte.gz": 29515,
        "t10k-images-idx3-ubyte.gz": 4422102, "t10k-labels-idx1-ubyte.gz": 5148}),
}
SUBFOLDERS = {d.name: d.subfolders for d in DATASETS.values() if d.subfolders}
SYSTEM_DIRS = {d.name: d.system_dirs for d in DATASETS.values() if d.system_dirs}
INSTALL_HINTS = {d.name: d.install_hint for d in DATASETS.values() if d.install_hint}


@dataclass(frozen=True)
class LocatedFiles:
    """The four IDX files of a dataset and how they were found."""
    name: str
    paths: dict[str, Path]          # keys of FILES
    origin: str                     # "data_dir" | DATA_ENV | "cache" | "system" | "download"
    verified: bool = field(default=False)   # True when every file matched its known hash

    @property
    def folder(self) -> Path:
        return self.paths["train_images"].parent


def user_cache_dir(cache_dir=None) -> Path:
    """The cache root: the argument, else ``$NN_PLAYGROUND_CACHE``, else the platform's user cache."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    import platformdirs
    return Path(platformdirs.user_cache_dir(APP_NAME))


def _variants(file_name: str) -> tuple[str, ...]:
    """Accept the file gzipped or not, and the common ``train-images.idx3-ubyte`` spelling."""
    raw = file_name[:-3]
    dotted = raw.replace("-idx", ".idx")
    return file_name, raw, dotted + ".gz", dotted


def _files_in(folder: Path) -> tuple[dict[str, Path] | None, list[str]]:
    """All four files in ``folder`` (or None) and the names that are missing."""
    found, missing = {}, []
    for key, file_name in FILES.items():
        hit = next((folder / v for v in _variants(file_name) if (folder / v).is_file()), None)
        if hit is None:
            missing.append(file_name)
        else:
            found[key] = hit
    return (found if not missing else None), missing


def _search_root(root: Path, name: str, log: list[str], label: str) -> dict[str, Path] | None:
    """Look in ``root/<subfolder>`` then ``root`` itself; note in ``log`` what was seen."""
    subs = SUBFOLDERS.get(name, ())
    notes = []
    for folder in [root / sub for sub in subs] + [root]:
        found, missing = _files_in(folder)
        if found:
            return found
        if folder.is_dir() and len(missing) < len(FILES):
            notes.append(f"{label} {folder}: incomplete, missing {', '.join(missing)}")
    if not notes:
        where = "".join(f" nor in {sub}/" for sub in subs)
        if root.is_dir():
            why = f"no {TITLES.get(name, name)} files there{where}"
        elif root.exists():
            why = "that is a file, not a folder"
        else:
            why = "no such folder"
        notes.append(f"{label} {root}: {why}")
    log.extend(notes)
    return None


def _hash_ok(path: Path, known: str | None) -> bool:
    if not known:
        return False
    import pooch
    algorithm, _, digest = known.rpartition(":")
    return pooch.file_hash(str(path), alg=algorithm or "sha256") == digest.lower()


def _remote_for(name: str, base_url: str | None, hashes: Mapping[str, str] | None) -> Remote | None:
    default = REMOTES.get(name)
    if default is None and base_url is None:
        return None
    if hashes is not None:      # other files: their sizes are not known
        return Remote(base_url or default.base_url, dict(hashes))
    return Remote(base_url or default.base_url, dict(default.hashes), dict(default.sizes))


def locate_dataset(name: str, *, data_dir=None, cache_dir=None, allow_download: bool = True,
                   base_url: str | None = None, hashes: Mapping[str, str] | None = None,
                   progress: ProgressCallback | None = None, system_dirs=None) -> LocatedFiles:
    """Find (or download once) the four IDX files of ``name`` ("mnist" or "fashion-mnist").

    ``base_url``/``hashes`` override the download mirror and the expected hash per file name;
    ``system_dirs`` overrides the distribution folders searched (tests pass ``()``).
    ``progress(file_name, done_bytes, total_bytes)`` is called during downloads; without it a
    tqdm bar is shown when stderr is a terminal. Raises DataError listing every option tried.
    """
    if name not in REMOTES:
        raise DataError(f"no IDX files are known for dataset {name!r}; choose one of {', '.join(REMOTES)}")
    log: list[str] = []
    if data_dir is not None:
        found = _search_root(Path(data_dir).expanduser(), name, log, "--data-dir")
        if found:
            return LocatedFiles(name, found, "data_dir")
        # A folder the user named explicitly is what they want used: falling back to the
        # cache or a download would hide a typo behind different data.
        raise DataError(f"{TITLES.get(name, name)} is not in the folder you gave: {log[-1]}. Point "
                        f"--data-dir at the folder holding {', '.join(FILES.values())}, or leave it out "
                        f"to use the cache, {DATA_ENV}, the system folder or a download.")
    else:
        log.append("--data-dir: not given")
    if os.environ.get(DATA_ENV):
        found = _search_root(Path(os.environ[DATA_ENV]).expanduser(), name, log, DATA_ENV)
        if found:
            return LocatedFiles(name, found, DATA_ENV)
    else:
        log.append(f"{DATA_ENV}: not set")

    remote = _remote_for(name, base_url, hashes)
    cache = user_cache_dir(cache_dir) / name
    remove_stale_downloads(cache)
    found, missing = _files_in(cache)
    if found and all(_hash_ok(p, remote.hashes.get(FILES[k])) for k, p in found.items()):
        return LocatedFiles(name, found, "cache", verified=True)
    log.append(f"cache {cache}: " + ("files do not match the known hashes" if found else
                                     "empty" if len(missing) == len(FILES) else f"missing {', '.join(missing)}"))

    for folder in SYSTEM_DIRS.get(name, ()) if system_dirs is None else system_dirs:
        found, _ = _files_in(Path(folder))
        if found:
            return LocatedFiles(name, found, "system")
        log.append(f"system folder {folder}: not present")

    if not allow_download:
        why = "download disabled (allow_download=False)"
    else:
        try:
            paths = _download(cache, remote, progress)
            return LocatedFiles(name, paths, "download", verified=True)
        except _DownloadFailed as exc:
            why = f"download from {remote.base_url} failed: {exc}"
    raise DataError(_not_found_message(name, log, why, cache))


def _not_found_message(name: str, log: list[str], why: str, cache: Path) -> str:
    title = TITLES.get(name, name)
    sub = SUBFOLDERS.get(name, (name,))[0]
    lines = [f"could not find the {title} files ({', '.join(FILES.values())}).", "Looked in:"]
    lines += [f"  - {line}" for line in log] + [f"  - {why}", "Do one of:",
              f"  - pass --data-dir FOLDER (data_dir=...): a folder holding the four files, or a {sub}/ subfolder",
              f"  - set the environment variable {DATA_ENV}=FOLDER (same layout)",
              f"  - copy the original files (matching the published hashes) into the cache folder {cache}"]
    if name in INSTALL_HINTS:
        lines.append(f"  - install them system-wide: {INSTALL_HINTS[name]}")
    lines.append("  - connect to the internet and run again to download them once into the cache "
                 f"(set {CACHE_ENV} to use another cache folder)")
    return "\n".join(lines)


class _DownloadFailed(Exception):
    """A network-level failure: reported among the options, not on its own."""


class _CallbackBar:
    """The tqdm-like object pooch drives (``total``, ``update``, ``reset``, ``close``),
    forwarding to ``progress(file_name, done, total)``."""

    def __init__(self, file_name: str, callback: ProgressCallback):
        self.file_name, self.callback, self.total, self.n = file_name, callback, 0, 0

    def update(self, n: int) -> None:
        self.n += n
        total = self.total or None
        self.callback(self.file_name, min(self.n, total) if total else self.n, total)

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        pass


class _TooLarge(Exception):
    pass


class _CappedFile:
    """The file a download streams into, refusing to grow past ``cap`` bytes."""

    def __init__(self, f, cap: int):
        self._f, self.cap, self.size = f, cap, 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _TooLarge()
        return self._f.write(data)

    def flush(self) -> None:
        self._f.flush()


def _capped(downloader, cap: int):
    """A pooch downloader that writes through _CappedFile (pooch deletes its temporary on error)."""
    def download(url, output_file, pooch_, check_only=False):
        with open(output_file, "w+b") as f:
            return downloader(url, _CappedFile(f, cap), pooch_)
    return download


_POOCH_TEMPORARY = re.compile(r"tmp[a-z0-9_]{8}")      # tempfile.NamedTemporaryFile's names


def remove_stale_downloads(folder: Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete temporaries a killed download left in ``folder`` (pooch's ``tmpXXXXXXXX`` names only,
    and only when older than ``older_than`` seconds, so a download running now is not touched)."""
    return remove_stale(folder, _POOCH_TEMPORARY, older_than)


def _download(folder: Path, remote: Remote, progress: ProgressCallback | None) -> dict[str, Path]:
    import pooch
    import requests

    missing_hash = [f for f in FILES.values() if not remote.hashes.get(f)]
    if missing_hash:
        # Never keep a download we cannot verify.
        raise _DownloadFailed(f"no known hash for {', '.join(missing_hash)}, so it is not downloaded")
    paths = {}
    for key, file_name in FILES.items():
        url = remote.base_url.rstrip("/") + "/" + file_name
        # stderr is None in a windowed (console-less) build.
        bar = _CallbackBar(file_name, progress) if progress else bool(sys.stderr and sys.stderr.isatty())
        expected = remote.sizes.get(file_name)
        cap = expected + SIZE_MARGIN if expected else MAX_DOWNLOAD_BYTES
        downloader = _capped(pooch.HTTPDownloader(progressbar=bar, timeout=DOWNLOAD_TIMEOUT), cap)
        try:
            # pooch streams to a temporary file and only renames it after the hash matched;
            # a file already there with the right hash is not downloaded again.
            paths[key] = Path(pooch.retrieve(url, known_hash=remote.hashes[file_name], fname=file_name,
                                             path=folder, downloader=downloader))
        except ValueError as exc:      # hash mismatch: pooch already deleted the temporary file
            (folder / file_name).unlink(missing_ok=True)
            raise DataError(f"downloaded {url} but it does not match its known hash, so it was removed; "
                            f"the mirror may be corrupt or tampered with. ({exc}) Place the files yourself "
                            f"and pass --data-dir, or set {DATA_ENV}.") from exc
        except _TooLarge:
            (folder / file_name).unlink(missing_ok=True)
            size = f"it is {expected:,} bytes" if expected else f"no file of it is over {MAX_DOWNLOAD_BYTES:,} bytes"
            raise DataError(f"downloading {url} was stopped after {cap:,} bytes, because {size}; the partial "
                            f"file was deleted. The mirror is broken or hostile. Place the files yourself and "
                            f"pass --data-dir, or set {DATA_ENV}.") from None
        except (requests.RequestException, OSError) as exc:
            raise _DownloadFailed(f"{url}: {exc}") from exc
    return paths


def locate_nielsen_pickle(data_dir=None, *, cache_dir=None) -> Path:
    """Find Nielsen's ``mnist.pkl.gz``: ``data_dir`` (the file itself or a folder holding it,
    directly or in ``mnist/``), then ``$NN_PLAYGROUND_DATA``, then ``<cache>/mnist-pkl/``.
    Never downloaded: no verified hash of it is published."""
    roots = []
    if data_dir is not None:
        data_dir = Path(data_dir).expanduser()
        if data_dir.is_file():
            return data_dir
        roots.append(data_dir)
    if os.environ.get(DATA_ENV):
        roots.append(Path(os.environ[DATA_ENV]).expanduser())
    roots.append(user_cache_dir(cache_dir) / "mnist-pkl")
    tried = [root / sub / NIELSEN_PICKLE for root in roots for sub in ("", *SUBFOLDERS["mnist-pkl"])]
    for path in tried:
        if path.is_file():
            return path
    raise DataError(f"could not find {NIELSEN_PICKLE}; looked for {', '.join(map(str, tried))}. Pass "
                    f"--data-dir with the file or its folder, or set {DATA_ENV}. It is in the data/ folder "
                    f"of github.com/mnielsen/neural-networks-and-deep-learning; it is not downloaded "
                    f"automatically because no verified hash for it is published.")
