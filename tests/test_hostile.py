"""Hostile and endless inputs (issue 8) and a dataset that is not what it is called (issue 7.1).

Every hostile input is built here, in code. Each must end with a clear error in bounded time and
memory: the tests measure the memory (tracemalloc) where a bomb would otherwise explode it, and
run anything that could block forever (a FIFO) in a thread with a deadline.
"""
from __future__ import annotations

import gzip
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import tracemalloc
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from playground.core.errors import DataError, ModelFileError, SpecError

REPO = Path(__file__).resolve().parents[1]
SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")


MEMORY_LIMIT = 3 * 1024**3     # address space of a child process: an endless read fails there, not here


def _limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(argv, env_extra=None, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("NN_PLAYGROUND_DATA", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *map(str, argv)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, preexec_fn=_limit_memory)


def run_cli(*args, env_extra=None, timeout=120):
    return _run(["-m", "playground", *args], env_extra, timeout)


def run_python(code: str, timeout=60):
    """``code`` in a memory-limited child: a reader that never ends cannot take the machine with it."""
    return _run(["-c", code], timeout=timeout)


def peak_memory(fn):
    """(exception raised by fn or None, peak bytes Python allocated while it ran)."""
    tracemalloc.start()
    try:
        fn()
        error = None
    except Exception as e:          # noqa: BLE001 - the caller checks which
        error = e
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, peak


@pytest.fixture(scope="module")
def small_model():
    from playground.core.network import Network
    from playground.core.spec import NetworkSpec, TrainConfig
    net = Network(NetworkSpec.make("2,3,1"), seed=1)
    return net, TrainConfig(epochs=1)


@pytest.fixture
def model_dict(tmp_path, small_model):
    from playground.core.persist import save_model
    path = save_model(tmp_path / "good.json", small_model[0], small_model[1])
    return json.loads(path.read_text())


def write_json(tmp_path, d, name="hostile.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(d))
    return path


# ============================================================================ 0: the CLI entry
@pytest.mark.parametrize("argv", [["trian"], ["run-preset", "x"], ["Train", "--epochs", "1"]])
def test_a_typo_subcommand_exits_2_at_once_listing_the_valid_ones(argv):
    # Before: these opened the window (offscreen it never returned: the timeout would fire).
    from playground.cli import COMMANDS
    out = run_cli(*argv, env_extra={"QT_QPA_PLATFORM": "offscreen"}, timeout=60)
    assert out.returncode == 2, out.stderr
    assert f"unknown subcommand {argv[0]!r}" in out.stderr
    assert ", ".join(COMMANDS) in out.stderr
    if argv[0] == "trian":
        assert "Did you mean 'train'" in out.stderr


def test_only_qt_options_open_the_window():
    from playground.cli import is_gui_command_line
    assert is_gui_command_line([])
    assert is_gui_command_line(["-platform", "offscreen"])
    assert is_gui_command_line(["--platform", "offscreen", "-reverse", "-style", "fusion"])
    for argv in (["trian"], ["-platform"], ["--epochs", "3"], ["train"], ["-platform", "offscreen", "x"],
                 ["x", "-platform", "offscreen"]):
        assert not is_gui_command_line(argv), argv


# ============================================================================ 1: Nielsen gzip bomb
def test_nielsen_gzip_bomb_stops_at_the_cap(tmp_path, monkeypatch):
    from playground.core.data import nielsen_pkl
    cap = 8 * 1024**2
    monkeypatch.setattr(nielsen_pkl, "MAX_PICKLE_BYTES", cap, raising=False)
    bomb = tmp_path / "mnist.pkl.gz"
    bomb.write_bytes(gzip.compress(bytes(80 * 1024**2), compresslevel=9))     # 80 KB inflating to 80 MB
    assert bomb.stat().st_size < 200_000
    error, peak = peak_memory(lambda: nielsen_pkl.load_nielsen_pickle(bomb))
    assert isinstance(error, DataError) and "inflates to more than 8 MB" in str(error), error
    assert peak < 2 * cap          # decompressing it all would take 80 MB


def test_the_pickle_caps_leave_room_for_the_real_file():
    from playground.core.data import nielsen_pkl
    assert nielsen_pkl.MAX_PICKLE_BYTES >= 1.5 * 220e6 and nielsen_pkl.MAX_FILE_BYTES >= 3 * 17e6


# ============================================================================ 2: JSON that expands in memory
def test_model_padded_with_empty_objects_is_refused_before_parsing(tmp_path, model_dict):
    from playground.core.persist import MAX_JSON_CONTAINERS, load_model
    model_dict["extras"] = {"pad": [{}] * (MAX_JSON_CONTAINERS + 1)}
    path = write_json(tmp_path, model_dict)
    error, peak = peak_memory(lambda: load_model(path))
    assert isinstance(error, ModelFileError) and "objects and lists" in str(error), error
    # Parsed, a million dicts take ~70 MB; refused, about the text twice over.
    assert peak < 4 * path.stat().st_size


def test_model_with_too_many_values_is_refused(tmp_path, model_dict, monkeypatch):
    from playground.core import persist
    monkeypatch.setattr(persist, "MAX_JSON_VALUES", 10_000, raising=False)
    model_dict["extras"] = {"pad": [0] * 20_000}
    with pytest.raises(ModelFileError, match="JSON values"):
        persist.load_model(write_json(tmp_path, model_dict))


def test_unknown_bulky_member_is_refused(tmp_path, model_dict):
    from playground.core.persist import load_model
    model_dict["junk"] = ["x" * 100] * 100
    with pytest.raises(ModelFileError, match="entries a playground model never has: 'junk'"):
        load_model(write_json(tmp_path, model_dict))


def test_the_json_budget_admits_real_models():
    # A native JSON model holds at most JSON_MAX_PARAMS numbers; Nielsen's 784-100-10 ~80,000.
    from playground.core import persist
    assert persist.MAX_JSON_VALUES >= 20 * persist.JSON_MAX_PARAMS
    assert persist.MAX_JSON_CONTAINERS >= 2 * (1000 + 1000 + 10)    # network2 784-1000-1000-10: rows


def test_load_reports_progress_and_can_be_cancelled(tmp_path, monkeypatch):
    from playground.core import persist
    from playground.core.errors import Cancelled
    from playground.core.network import Network
    from playground.core.spec import NetworkSpec
    net = Network(NetworkSpec.make("784,120,10"), seed=1)          # 95,410 parameters: > 65,536 values
    path = persist.save_model(tmp_path / "m.json", net)
    seen = []
    persist.load_model(path, progress=seen.append)
    assert seen and seen == sorted(seen) and 0 < seen[-1] <= 1

    def cancel(fraction):
        if fraction > 0.5:
            raise Cancelled("stop")
    with pytest.raises(Cancelled):
        persist.load_model(path, progress=cancel)


# ============================================================================ 3: devices and FIFOs
@pytest.mark.parametrize("module, reader, error", [
    ("playground.core.persist", "load_model", "ModelFileError"),
    ("playground.core.data", "load_nielsen_pickle", "DataError"),
    ("playground.core.data", "read_idx", "DataError"),
    ("playground.core.runfile", "load_run", "RunFileError"),
])
def test_readers_refuse_dev_zero(module, reader, error):
    # In a memory-limited child: before the fix /dev/zero was read until the memory ran out.
    out = run_python(f"from {module} import {reader}\n"
                     f"from playground.core.errors import {error}\n"
                     f"try:\n    {reader}('/dev/zero')\n"
                     f"except {error} as e:\n    print(e)\n")
    assert out.returncode == 0 and "/dev/zero is a device, not a file" in out.stdout, out.stderr[-500:]


def test_load_refuses_a_fifo_without_blocking(tmp_path):
    from playground.core.persist import load_model
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    result = []
    t = threading.Thread(target=lambda: result.append(pytest.raises(ModelFileError, load_model, fifo)),
                         daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():        # unblock the reader so the test run can end, then fail
        with open(fifo, "wb"):
            pass
        t.join(5)
        pytest.fail("loading a FIFO blocked")
    assert "pipe (FIFO)" in str(result[0].value)


def test_cli_load_dev_zero_exits_2():
    out = run_cli("train", "--load", "/dev/zero", timeout=60)
    assert out.returncode == 2 and "is a device" in out.stderr


# ============================================================================ 4: downloads
class _Endless(http.server.BaseHTTPRequestHandler):
    """Sends zeros until the client hangs up; stops by itself only at a limit far beyond any MNIST
    file, so a client without a cap fails this test instead of filling the disk."""
    sent = 0
    LIMIT = 256 * 1024**2

    def do_GET(self):
        self.send_response(200)
        self.end_headers()                       # no Content-Length: "the rest of the stream"
        block = bytes(64 * 1024)
        try:
            while type(self).sent < self.LIMIT:
                self.wfile.write(block)
                type(self).sent += len(block)
        except OSError:                          # the client hung up
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def endless_server(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    _Endless.sent = 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endless)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_endless_download_stops_at_the_expected_size_and_is_deleted(tmp_path, endless_server):
    from playground.core.data.locate import REMOTES, SIZE_MARGIN, locate_dataset
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="was stopped after") as err:
        locate_dataset("mnist", cache_dir=cache, base_url=endless_server.base_url, system_dirs=())
    expected = REMOTES["mnist"].sizes["train-images-idx3-ubyte.gz"]
    assert f"{expected:,} bytes" in str(err.value)
    assert not list((cache / "mnist").iterdir()), "the partial download must be deleted"
    # The socket may hold a few blocks more than the client read, never the endless rest.
    assert _Endless.sent < expected + SIZE_MARGIN + 16 * 1024**2


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_stale_download_temporaries_are_removed(tmp_path):
    from playground.core.data.locate import locate_dataset
    folder = tmp_path / "cache" / "mnist"
    folder.mkdir(parents=True)
    stale, fresh, theirs = folder / "tmpab12cd_9", folder / "tmpzz34yy_1", folder / "tmp-notes.txt"
    for p in (stale, fresh, theirs):
        p.write_bytes(b"partial")
    _age(stale, 3600)
    _age(theirs, 3600)
    with pytest.raises(DataError):
        locate_dataset("mnist", cache_dir=tmp_path / "cache", allow_download=False, system_dirs=())
    assert not stale.exists() and fresh.exists() and theirs.exists()


def test_stale_save_temporaries_are_removed(tmp_path, small_model):
    from playground.core.persist import save_model
    stale, fresh, other = (tmp_path / ".m.json.a1b2c3d4.tmp", tmp_path / ".m.json.e5f6g7h8.tmp",
                           tmp_path / ".other.json.a1b2c3d4.tmp")
    for p in (stale, fresh, other):
        p.write_bytes(b"{")
    _age(stale, 3600)
    _age(other, 3600)
    save_model(tmp_path / "m.json", small_model[0])
    assert not stale.exists() and fresh.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".m.json.e5f6g7h8.tmp",
                                                                 ".other.json.a1b2c3d4.tmp", "m.json"])


# ============================================================================ 5: snapshot seq
def test_snapshot_seq_never_repeats_under_concurrent_publishing():
    from playground.core.data import load_dataset
    from playground.core.network import Network
    from playground.core.spec import NetworkSpec, TrainConfig
    from playground.core.trainer import Trainer
    ds = load_dataset("xor", n_samples=100)
    trainer = Trainer(Network(NetworkSpec.make("2,4,1"), seed=1), ds, TrainConfig(epochs=1), probe_every=None)
    delivered = []
    trainer.on_snapshot = lambda snap: delivered.append(snap.seq)
    n, threads = 3000, 2
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)          # switch threads as often as possible: races show at once
    try:
        workers = [threading.Thread(target=lambda: [trainer._publish(message="Paused.") for _ in range(n)])
                   for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(delivered) == n * threads
    assert delivered == list(range(1, n * threads + 1)), "seq repeated or delivered out of order"
    assert trainer.latest.seq == n * threads


# ============================================================================ 6: every config field checked
BAD_VALUES = ["x", None, [], {}, float("nan"), float("inf"), -1, True, 2**70]


def test_every_train_config_field_refuses_bad_values_with_spec_error():
    from playground.core.spec import TrainConfig
    for f in fields(TrainConfig):
        for v in BAD_VALUES:
            try:
                TrainConfig(**{f.name: v}).normalised().validate()
            except SpecError:
                pass            # anything else (TypeError, ValueError from inside) fails the test


def test_every_network_spec_field_refuses_bad_values_with_spec_error():
    from playground.core.spec import NetworkSpec
    base = NetworkSpec.make("2,3,1").to_dict()
    for key in base:
        for v in BAD_VALUES + [[None], ["x"]]:
            try:
                NetworkSpec.from_dict({**base, key: v})
            except SpecError:
                pass


def test_model_with_a_text_adam_eps_is_refused_at_load(tmp_path, model_dict):
    from playground.core.persist import load_model
    model_dict["config"]["adam_eps"] = "x"
    with pytest.raises(ModelFileError, match="Adam's epsilon 'x' must be a number"):
        load_model(write_json(tmp_path, model_dict))


# ============================================================================ 7: a failed final save
def test_failed_final_save_keeps_the_model_and_exits_4(tmp_path):
    target = tmp_path / "out" / "model.json"
    target.mkdir(parents=True)            # a folder where the file should go: the rename fails
    data_home = tmp_path / "xdg"
    out = run_cli("train", "--dataset", "xor", "--epochs", "1", "--quiet", "--json", "--save", target,
                  env_extra={"XDG_DATA_HOME": str(data_home)})
    assert out.returncode == 4, out.stderr
    kept = list((data_home / "nn-playground" / "unsaved-models").glob("*model.json"))
    assert len(kept) == 1 and str(kept[0]) in out.stderr and "could not be saved" in out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["saved"] == str(kept[0]) and "Is a directory" in result["save_error"]
    from playground.core.persist import load_model
    from playground.core.runspec import RunSpec
    assert load_model(kept[0]).network.spec.sizes == RunSpec.default("xor").network.sizes


# ============================================================================ 8: messages
def test_gradcheck_kink_rule_only_for_kinked_activations():
    from playground.core.gradcheck import data_away_from_kinks
    from playground.core.network import Network
    from playground.core.spec import NetworkSpec
    rng = np.random.default_rng(1)
    smooth = Network(NetworkSpec.make("2,2000,1", "sigmoid", dtype="float64"), seed=1)
    assert data_away_from_kinks(smooth, 3, rng).shape == (3, 2)
    relu = Network(NetworkSpec.make("2,2000,1", "relu", dtype="float64"), seed=1)
    with pytest.raises(SpecError, match="2,000 relu units away from the kink"):
        data_away_from_kinks(relu, 3, rng)


def test_data_dir_naming_a_file_says_so(tmp_path):
    from playground.core.data import locate_dataset
    f = tmp_path / "train-images-idx3-ubyte.gz"
    f.write_bytes(b"x")
    with pytest.raises(DataError, match="that is a file, not a folder"):
        locate_dataset("mnist", data_dir=f)


def test_truncated_gzip_idx_counts_every_byte_present(tmp_path):
    from playground.core.data import read_idx, write_idx
    images = np.random.default_rng(0).integers(0, 256, (3000, 28, 28), dtype=np.uint8)
    raw = write_idx(tmp_path / "x.gz", images).read_bytes()
    cut = tmp_path / "cut.gz"
    cut.write_bytes(raw[:len(raw) * 3 // 4])
    import zlib
    present = len(zlib.decompressobj(31).decompress(raw[:len(raw) * 3 // 4])) - 16     # minus the header
    with pytest.raises(DataError, match=f"got {present:,} before the gzip stream ended"):
        read_idx(cut)


def test_huge_integer_in_a_model_is_a_plain_refusal(tmp_path, model_dict):
    from playground.core.persist import load_model
    path = tmp_path / "big.json"
    path.write_text(json.dumps(model_dict).replace('"seed": 1', '"seed": ' + "9" * 5000))
    with pytest.raises(ModelFileError) as err:
        load_model(path)
    assert "5,000 digits" in str(err.value) and "set_int_max_str_digits" not in str(err.value)


def test_refused_option_name_is_quoted_as_typed():
    from playground.core.spec import NetworkSpec
    with pytest.raises(SpecError, match=r"Unknown cost 'Cross-Entropie' \(did you mean cross_entropy\?\)"):
        NetworkSpec.make("2,3,1", cost="Cross-Entropie")


# ============================================================================ issue 7.1: which dataset
def test_mnist_folder_is_refused_as_fashion_mnist(shared_mnist_dir):
    from playground.core.data import load_dataset
    with pytest.raises(DataError, match="holds MNIST, not Fashion-MNIST"):
        load_dataset("fashion-mnist", data_dir=shared_mnist_dir)


@pytest.mark.skipif(not SYSTEM_FASHION.is_dir(), reason="no system Fashion-MNIST")
def test_fashion_folder_is_refused_as_mnist():
    from playground.core.data import load_dataset
    with pytest.raises(DataError, match="holds Fashion-MNIST, not MNIST"):
        load_dataset("mnist", data_dir=SYSTEM_FASHION)


def _subset(src: Path, dst: Path, classes, per_class=60):
    """A re-written subset (so no known checksum can match): only the images' content is left."""
    from playground.core.data import FILES, read_idx, write_idx
    from playground.core.data.locate import _files_in
    paths, _ = _files_in(src)
    dst.mkdir()
    for split in ("train", "test"):
        images, labels = read_idx(paths[f"{split}_images"]), read_idx(paths[f"{split}_labels"])
        keep = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in classes])
        write_idx(dst / FILES[f"{split}_images"], images[keep])
        write_idx(dst / FILES[f"{split}_labels"], labels[keep])
    return dst


@pytest.mark.parametrize("digit", range(10))
def test_a_subset_of_one_digit_is_still_known_as_mnist(tmp_path, shared_mnist_dir, digit):
    from playground.core.data import load_dataset
    folder = _subset(shared_mnist_dir, tmp_path / "sub", [digit])
    with pytest.raises(DataError, match="holds MNIST, not Fashion-MNIST .*blank edge"):
        load_dataset("fashion-mnist", data_dir=folder)
    assert load_dataset("mnist", data_dir=folder).name == "mnist"


@pytest.mark.skipif(not SYSTEM_FASHION.is_dir(), reason="no system Fashion-MNIST")
@pytest.mark.parametrize("item", range(10))
def test_a_subset_of_one_clothing_class_is_still_known_as_fashion(tmp_path, item):
    from playground.core.data import load_dataset
    folder = _subset(SYSTEM_FASHION, tmp_path / "sub", [item])
    with pytest.raises(DataError, match="holds Fashion-MNIST, not MNIST"):
        load_dataset("mnist", data_dir=folder)


def test_images_without_ink_decide_nothing():
    from playground.core.data.identify import identify_images
    assert identify_images(np.zeros((500, 28, 28), np.uint8)) is None
    assert identify_images(np.random.default_rng(0).integers(0, 256, (10, 28, 28), dtype=np.uint8)) is None


def test_cli_data_dir_holding_mnist_for_fashion_exits_2(shared_mnist_dir):
    out = run_cli("train", "--dataset", "fashion-mnist", "--data-dir", shared_mnist_dir, "--epochs", "1",
                  timeout=60)
    assert out.returncode == 2 and "holds MNIST, not Fashion-MNIST" in out.stderr


def test_stored_checksums_match_the_shared_readme(shared_mnist_dir):
    from playground.core.data.identify import KNOWN_FILES
    readme = (shared_mnist_dir / "README.md").read_text()
    digests = set(re.findall(r"\b[0-9a-f]{64}\b", readme))
    assert len(digests) == 4
    assert digests <= {h.split(":")[1] for _, h in KNOWN_FILES}


def test_readme_states_the_limits_the_code_enforces():
    from playground.core import persist, spec
    from playground.core.data import idx, locate, nielsen_pkl
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Reliability"):readme.index("## Speed")]
    for number in (f"{persist.MAX_JSON_VALUES:,}", f"{persist.MAX_JSON_CONTAINERS:,}",
                   f"{persist.MAX_JSON_BYTES // 1024**2} MiB", f"{persist.MAX_FILE_BYTES // 1024**3} GiB",
                   f"{persist.MAX_META_BYTES // 1024**2} MiB", f"{persist.MAX_INT_DIGITS} digits",
                   f"{nielsen_pkl.MAX_PICKLE_BYTES // 1024**2} MB", f"{nielsen_pkl.MAX_FILE_BYTES // 1024**2} MB",
                   f"{idx.MAX_BYTES:,} bytes", f"{locate.SIZE_MARGIN // 1024} KiB",
                   f"{locate.MAX_DOWNLOAD_BYTES // 1024**2} MiB", f"{spec.MAX_DEPTH} layers",
                   f"{spec.MAX_LAYER_WIDTH:,} units", f"{spec.MAX_BYTES // 1024**3} GiB of memory",
                   f"{locate.STALE_SECONDS // 60} minutes", f"{persist.STALE_SECONDS // 60} minutes"):
        assert number in section, number


@pytest.mark.parametrize("option", ["noise", "n_samples", "test_ratio", "seed", "train_size", "validation_size"])
def test_load_dataset_refuses_bad_values_with_its_own_error(option):
    from playground.core.data import load_dataset
    from playground.core.errors import PlaygroundError
    for v in BAD_VALUES:
        try:
            load_dataset("xor", **{option: v})
        except PlaygroundError:
            pass
