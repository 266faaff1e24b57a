"""Shared test setup. Qt must be told to render offscreen before anything imports it."""
import os

# setdefault: a developer who wants to watch the GUI tests can still export QT_QPA_PLATFORM=xcb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


# --- datasets (tests/test_data_*.py, tests/test_dataset.py) ---------------------------------
from pathlib import Path as _Path

import pytest as _pytest

# The reduced MNIST set lives beside the repo (../shared/data/mnist), see its README.md.
SHARED_MNIST = _Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@_pytest.fixture
def shared_mnist_dir():
    """The reduced MNIST folder (5k train sorted by class, 10k test); skipped where absent."""
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").is_file():
        _pytest.skip(f"reduced MNIST not found at {SHARED_MNIST} (expected ../shared/data/mnist beside the repo)")
    return SHARED_MNIST


@_pytest.fixture
def isolated_data_env(tmp_path, monkeypatch):
    """No NN_PLAYGROUND_DATA, and a fresh NN_PLAYGROUND_CACHE: never the user's real cache."""
    cache = tmp_path / "cache"
    monkeypatch.delenv("NN_PLAYGROUND_DATA", raising=False)
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(cache))
    return cache


@_pytest.fixture(autouse=True)
def _automatic_gc_between_tests():
    """The GUI turns Python's automatic garbage collection off while it runs (see
    playground/gui/gcpolicy.py); every test still starts with it on, as a plain program would."""
    import gc

    gc.enable()
    yield
    gc.enable()
