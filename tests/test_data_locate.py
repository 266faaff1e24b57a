"""Finding and downloading MNIST / Fashion-MNIST. Downloads go to a local http.server that
serves the reduced MNIST folder; the real internet and the real user cache are never used."""
import hashlib
import functools
import http.server
import socket
import threading

import numpy as np
import pytest

from playground.core.data import FILES, locate_dataset, locate_nielsen_pickle, user_cache_dir, write_idx
from playground.core.errors import DataError

# From ../shared/data/mnist/README.md (the reduced set, not the canonical MNIST hashes).
REDUCED_SHA256 = {
    "train-images-idx3-ubyte.gz": "92844db5e7e28e7ac93429ac2dd6e8d22ec59066bbf2251eff103e4a123109f1",
    "train-labels-idx1-ubyte.gz": "b2c2ef9d45711d55574171c373912175ea8ca30fa004a5671f96a03787772fdd",
    "t10k-images-idx3-ubyte.gz": "167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b",
    "t10k-labels-idx1-ubyte.gz": "fc607395669ec21321ea83e4b82c0544b7e8e63ff5b34337c06bc0a17cc0da3c",
}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_fake_set(folder, n=6):
    """Four small valid IDX files with the canonical names."""
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / FILES["train_images"], np.zeros((n, 28, 28), np.uint8))
    write_idx(folder / FILES["train_labels"], np.arange(n, dtype=np.uint8) % 10)
    write_idx(folder / FILES["test_images"], np.zeros((2, 28, 28), np.uint8))
    write_idx(folder / FILES["test_labels"], np.array([0, 1], np.uint8))
    return folder


@pytest.fixture
def server(shared_mnist_dir, monkeypatch):
    """Serve the reduced MNIST folder on 127.0.0.1; ``server.requests`` lists the paths asked for."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Handler, directory=str(shared_mnist_dir)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.requests = requests
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def dead_url():
    """A 127.0.0.1 port nobody listens on: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_reduced_set_matches_its_readme(shared_mnist_dir):
    for name, digest in REDUCED_SHA256.items():
        assert sha256(shared_mnist_dir / name) == digest, name


def test_data_dir_with_files_directly(shared_mnist_dir, isolated_data_env):
    found = locate_dataset("mnist", data_dir=shared_mnist_dir, allow_download=False)
    assert found.origin == "data_dir" and not found.verified        # user data: trusted, not hashed
    assert found.paths == {k: shared_mnist_dir / v for k, v in FILES.items()}


def test_data_dir_with_named_subfolder(shared_mnist_dir, isolated_data_env):
    found = locate_dataset("mnist", data_dir=shared_mnist_dir.parent, allow_download=False)
    assert found.folder == shared_mnist_dir


def test_env_var_is_second(tmp_path, shared_mnist_dir, isolated_data_env, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir.parent))
    found = locate_dataset("mnist", allow_download=False)
    assert found.origin == "NN_PLAYGROUND_DATA" and found.folder == shared_mnist_dir
    own = make_fake_set(tmp_path / "mine")
    assert locate_dataset("mnist", data_dir=own, allow_download=False).folder == own      # argument wins


def test_fashion_subfolder_and_system_dir(tmp_path, isolated_data_env):
    root = tmp_path / "data"
    make_fake_set(root / "fashion-mnist")
    assert locate_dataset("fashion-mnist", data_dir=root, allow_download=False, system_dirs=()).folder \
        == root / "fashion-mnist"
    system = make_fake_set(tmp_path / "usr-share-datasets-fashion-mnist")      # Debian: four files, flat
    found = locate_dataset("fashion-mnist", allow_download=False, system_dirs=[system])
    assert found.origin == "system" and found.folder == system


def test_real_debian_fashion_mnist(isolated_data_env):
    system = "/usr/share/datasets/fashion-mnist"
    try:
        found = locate_dataset("fashion-mnist", allow_download=False)
    except DataError:
        pytest.skip(f"dataset-fashion-mnist is not installed ({system})")
    assert found.origin == "system" and str(found.folder) == system


def test_uncompressed_and_dotted_names(tmp_path, isolated_data_env):
    folder = tmp_path / "raw"
    folder.mkdir()
    write_idx(folder / "train-images.idx3-ubyte", np.zeros((3, 28, 28), np.uint8), gzip=False)
    write_idx(folder / "train-labels-idx1-ubyte", np.zeros(3, np.uint8), gzip=False)
    write_idx(folder / "t10k-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8), gzip=False)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    found = locate_dataset("mnist", data_dir=folder, allow_download=False)
    assert found.paths["train_images"].name == "train-images.idx3-ubyte"


def test_cache_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv("NN_PLAYGROUND_CACHE", raising=False)
    assert user_cache_dir().name == "nn-playground"
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path / "env"))
    assert user_cache_dir() == tmp_path / "env"
    assert user_cache_dir(tmp_path / "arg") == tmp_path / "arg"


def test_download_once_then_cache(server, isolated_data_env):
    calls = []
    found = locate_dataset("mnist", base_url=server.base_url, hashes=REDUCED_SHA256,
                           progress=lambda name, done, total: calls.append((name, done, total)))
    assert found.origin == "download" and found.verified
    assert found.folder == isolated_data_env / "mnist"
    for name, digest in REDUCED_SHA256.items():
        assert sha256(isolated_data_env / "mnist" / name) == digest
    assert sorted(server.requests) == sorted("/" + n for n in FILES.values())
    assert sorted(p.name for p in (isolated_data_env / "mnist").iterdir()) == sorted(FILES.values())
    # Progress: every file reported, ending at its full size.
    size = (isolated_data_env / "mnist" / FILES["train_images"]).stat().st_size
    assert ("train-images-idx3-ubyte.gz", size, size) in calls
    assert {c[0] for c in calls} == set(FILES.values())

    again = locate_dataset("mnist", base_url=server.base_url, hashes=REDUCED_SHA256)
    assert again.origin == "cache" and again.verified
    assert len(server.requests) == 4                              # nothing fetched the second time


def test_wrong_hash_is_rejected_and_removed(server, isolated_data_env):
    bad = dict(REDUCED_SHA256, **{"train-labels-idx1-ubyte.gz": "0" * 64})
    with pytest.raises(DataError, match="does not match its known hash") as err:
        locate_dataset("mnist", base_url=server.base_url, hashes=bad)
    assert "train-labels-idx1-ubyte.gz" in str(err.value)
    left = {p.name for p in (isolated_data_env / "mnist").iterdir()}
    assert "train-labels-idx1-ubyte.gz" not in left
    assert all(name in FILES.values() for name in left), left          # no temporary files either


def test_corrupt_cache_file_is_replaced(server, isolated_data_env):
    locate_dataset("mnist", base_url=server.base_url, hashes=REDUCED_SHA256)
    victim = isolated_data_env / "mnist" / FILES["test_labels"]
    victim.write_bytes(b"garbage")
    with pytest.raises(DataError, match="do not match the known hashes"):
        locate_dataset("mnist", base_url=server.base_url, hashes=REDUCED_SHA256, allow_download=False)
    found = locate_dataset("mnist", base_url=server.base_url, hashes=REDUCED_SHA256)
    assert sha256(victim) == REDUCED_SHA256[FILES["test_labels"]] and found.verified


def test_no_hash_no_download(server, isolated_data_env):
    partial = {k: v for k, v in REDUCED_SHA256.items() if "t10k" not in k}
    with pytest.raises(DataError, match="no known hash"):
        locate_dataset("mnist", base_url=server.base_url, hashes=partial)
    assert server.requests == []


def test_offline_message_names_every_option(tmp_path, dead_url, isolated_data_env):
    with pytest.raises(DataError) as err:
        locate_dataset("mnist", base_url=dead_url, hashes=REDUCED_SHA256)
    msg = str(err.value)
    for part in ("--data-dir", "NN_PLAYGROUND_DATA", str(isolated_data_env / "mnist"),
                 "NN_PLAYGROUND_CACHE", "failed", dead_url):
        assert part in msg, (part, msg)
    assert "apt-get" not in msg                                    # no such package for MNIST


def test_explicit_data_dir_is_strict(tmp_path, dead_url, isolated_data_env, shared_mnist_dir, monkeypatch):
    # A typo in --data-dir must not silently train on other data found elsewhere.
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))
    with pytest.raises(DataError) as err:
        locate_dataset("mnist", data_dir=tmp_path / "nowhere", base_url=dead_url, hashes=REDUCED_SHA256)
    assert str(tmp_path / "nowhere") in str(err.value) and "--data-dir" in str(err.value)


def test_offline_fashion_message_mentions_debian_package(tmp_path, dead_url, isolated_data_env, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(tmp_path / "env-data"))
    with pytest.raises(DataError) as err:
        locate_dataset("fashion-mnist", base_url=dead_url, system_dirs=[tmp_path / "no-system"])
    msg = str(err.value)
    for part in ("--data-dir", "NN_PLAYGROUND_DATA", str(tmp_path / "env-data"), str(isolated_data_env),
                 "apt-get install dataset-fashion-mnist", "download", "failed", str(tmp_path / "no-system")):
        assert part in msg, (part, msg)


def test_download_disabled(server, isolated_data_env):
    with pytest.raises(DataError, match="download disabled") as err:
        locate_dataset("mnist", base_url=server.base_url, hashes=REDUCED_SHA256, allow_download=False)
    assert server.requests == [] and "--data-dir" in str(err.value)


def test_incomplete_folder_is_reported(tmp_path, isolated_data_env):
    folder = make_fake_set(tmp_path / "half")
    (folder / FILES["test_labels"]).unlink()
    with pytest.raises(DataError, match="incomplete, missing t10k-labels-idx1-ubyte.gz"):
        locate_dataset("mnist", data_dir=folder, allow_download=False)


def test_unknown_name():
    with pytest.raises(DataError, match="mnist"):
        locate_dataset("cifar10")


def test_locate_nielsen_pickle(tmp_path, isolated_data_env, monkeypatch):
    (tmp_path / "mnist").mkdir()
    pkl = tmp_path / "mnist" / "mnist.pkl.gz"
    pkl.write_bytes(b"x")
    assert locate_nielsen_pickle(pkl) == pkl
    assert locate_nielsen_pickle(tmp_path) == pkl
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(tmp_path))
    assert locate_nielsen_pickle() == pkl
    monkeypatch.delenv("NN_PLAYGROUND_DATA")
    with pytest.raises(DataError, match="not downloaded automatically"):
        locate_nielsen_pickle()
