"""Compile the training kernels in a child process, so a first start stays responsive and can quit.

A cold numba compile of train_kernel takes seconds of Python (typing, lowering) and LLVM work
that holds the GIL most of the time and cannot be interrupted. Done in a child process, it runs
on the other core while the window builds and paints, the parent only waits (on an Event it can
cancel), and closing the window kills the child at once. The child writes numba's on-disk cache
(the same NUMBA_CACHE_DIR or __pycache__, inherited), from which the parent then loads the
kernels in a fraction of a second. Until then the window trains on the numpy twin (interim.py).

``python -m playground.core.precompile float32 train|forward`` is a child (a frozen build starts
itself instead: playground/children.py).
"""
from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading

POLL_SECONDS = 0.02
CHILD_NICENESS = 5


def cache_is_warm() -> bool:
    """True if numba's cache already holds train_kernel and forward_kernel for the current source
    (then loading in-process is faster than starting a child)."""
    from . import kernels

    for disp in (kernels.train_kernel, kernels.forward_kernel):
        cache = getattr(disp, "_cache", None)
        index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
        if not index or not os.path.exists(index) or os.path.getmtime(index) < os.path.getmtime(kernels.__file__):
            return False
    return True


def can_spawn() -> bool:
    return bool(sys.executable)


def spawn(dtype: str, part: str) -> subprocess.Popen:
    from playground.children import command
    return subprocess.Popen(command("precompile", str(dtype), part),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_children: dict[str, subprocess.Popen] = {}    # per dtype, the child compiling train_kernel
_helpers: list[subprocess.Popen] = []           # children nobody waits for (forward_kernel)
_lock = threading.Lock()


def start(dtype: str = "float32") -> None:
    """Start compiling for ``dtype`` in a child, unless the cache is warm or one already runs.
    Called as early as possible (before the window is built) so the two overlap."""
    with _lock:
        if dtype in _children or not can_spawn() or cache_is_warm():
            return
        try:
            # Two children, one per core: the first training step needs only train_kernel; the
            # evaluation at the first epoch's end needs forward_kernel, compiled meanwhile.
            _children[dtype] = spawn(dtype, "train")
            _helpers.append(spawn(dtype, "forward"))
        except OSError:
            pass        # the in-process warm-up compiles instead


def compiling(dtype: str) -> bool:
    """True while a child compiles the training kernel for ``dtype``."""
    with _lock:
        child = _children.get(dtype)
    return child is not None and child.poll() is None


def ensure(dtype: str, cancel: threading.Event, everything: bool = False) -> bool:
    """Wait for the child compiling ``dtype`` (starting one if needed), and with ``everything`` for
    the one compiling forward_kernel too. False only if cancelled: the children are then killed at
    once. A failed child is no error: the caller's in-process warm-up compiles whatever the cache
    lacks."""
    start(dtype)
    with _lock:
        child = _children.get(dtype)
        waited = [child, *(_helpers if everything else [])] if child is not None else []
    for c in waited:
        while c.poll() is None:
            if cancel.wait(POLL_SECONDS):
                kill()
                return False
    return not cancel.is_set()


def kill() -> None:
    """Kill every compiling child now (the window is closing); a later window starts afresh."""
    with _lock:
        children = [*_children.values(), *_helpers]
        _children.clear()
        _helpers.clear()
    for c in children:
        c.kill()
        c.wait()


@atexit.register
def _kill_children() -> None:
    """A child still compiling when the app quits is of no use to anyone."""
    kill()


def backward_signatures(dtype: str) -> dict:
    """The signatures train_kernel calls its backward-pass helpers with (a test checks them)."""
    import numpy as np
    from numba import from_dtype, types

    f = from_dtype(np.dtype(dtype))
    a1, a2 = types.Array(f, 1, "C"), types.Array(f, 2, "C")
    i, i1 = types.int64, types.Array(types.int64, 1, "C")
    return {"_mul_prime": (i, a2, a2, a2, i, i),
            "_output_delta": (i, i, a2, a2, i1, i, a2, i, i),
            "_grad_rows": (a2, a2, i, i, a2, i, i),
            "_back_rows": (a2, a2, i, i, a2, i, i),
            "_update": (a1, a1, i, i, f, f, i, a1, a1, a1, a1)}


def _wait_for_forward(seconds: float = 60.0) -> None:
    """Until the "forward" child has cached _forward (or it seems gone): then train_kernel loads it
    instead of compiling it a second time."""
    import time

    from . import kernels

    index = kernels._forward._cache._cache_file._index_path
    deadline = time.monotonic() + seconds
    while not os.path.exists(index) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)


def compile_kernels(dtype: str, part: str = "all") -> None:
    """Compile the kernels of ``part`` (train, forward, all) for ``dtype``.

    The two children split the work so both cores compile: "forward" compiles the forward pass
    (_forward and its helpers, then forward_kernel); "train" meanwhile compiles the backward-pass
    helpers, then train_kernel, which links the forward pass from the other child's cache.
    Measured on 2 quiet cores: the train child is done 8.0 s after launch (the forward one 5.4 s),
    against 9.1 s for one process compiling train_kernel alone.
    """
    import numpy as np

    from . import kernels
    from .network import Network
    from .spec import NetworkSpec, TrainConfig

    spec = NetworkSpec.make((2, 3, 2), "sigmoid", output_activation="softmax", cost="log_likelihood", dtype=dtype)
    net = Network(spec, seed=1)
    rng = np.random.default_rng(0)
    x = rng.random((8, 2)).astype(net.dtype)
    y = np.eye(2, dtype=net.dtype)[rng.integers(0, 2, 8)]
    order = np.arange(8, dtype=np.int64)
    if part == "train":
        for name, sig in backward_signatures(dtype).items():
            getattr(kernels, name).compile(sig)
        _wait_for_forward()
    if part in ("train", "all"):
        net.train_chunk(x, y, order, 0, 2, TrainConfig(batch_size=4), 8)
    if part in ("forward", "all"):
        net.forward(x)


def child_main(args: list[str]) -> int:
    # Below the window's priority: while both compete for the cores, the window comes first (it
    # trains on the numpy twin meanwhile); with the cores otherwise idle this costs nothing.
    os.nice(CHILD_NICENESS)
    compile_kernels(*args[:2])
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
