"""The C heap of the window's process (glibc only; elsewhere these do nothing).

Each training thread used to get its own malloc arena, and glibc keeps what a thread frees in
its arena. Runs come and go all lesson long, so the freed memory piled up resident in holes
between live blocks. Two arenas are shared by all threads instead, big arrays always get a
mapping of their own (returned whole when freed), and the free pages go back to the system
after runs close and every few seconds.
"""
from __future__ import annotations

import ctypes
import sys
import threading
import time

M_MMAP_THRESHOLD = -3       # glibc's mallopt parameter numbers
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 128 * 1024     # glibc's own starting value, kept from rising
TRIM_PERIOD_S = 15.0
TRIM_THREAD = "heap-trim"      # lives as long as the process


def _glibc(name: str):
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)          # musl has neither function
    except (OSError, AttributeError):
        return None


_TRIM = _glibc("malloc_trim")
_MALLOPT = _glibc("mallopt")
if _TRIM is not None:
    _TRIM.argtypes, _TRIM.restype = [ctypes.c_size_t], ctypes.c_int
if _MALLOPT is not None:
    _MALLOPT.argtypes, _MALLOPT.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int


def limit_arenas(n: int = ARENAS) -> bool:
    """At most ``n`` malloc arenas from now on (call it before threads start); False if not glibc."""
    return _MALLOPT is not None and _MALLOPT(M_ARENA_MAX, int(n)) == 1


def pin_mmap_threshold(nbytes: int = MMAP_THRESHOLD) -> bool:
    """Blocks of ``nbytes`` or more always get their own mapping, which free() unmaps; False if
    not glibc. By default glibc raises the threshold to the size of each big block freed (up to
    32 MB), so after a lesson's dataset was freed the next lesson's arrays went into the heap
    and left holes there that it could not hand back. Cycling three MNIST lessons with toy twins
    between them, the toy stretches read 404-434 MB unpinned and 377-405 MB pinned."""
    return _MALLOPT is not None and _MALLOPT(M_MMAP_THRESHOLD, int(nbytes)) == 1


def return_free_memory() -> bool:
    """Hand the heap's free pages back to the system (False if not glibc). Without it a closed
    lesson's memory stayed resident: a 12-minute soak ended with 190 MB free but held beside
    200 MB in use. It takes a few milliseconds, so it runs only when the window settles."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


_trimming = False


def trim_every(period: float = TRIM_PERIOD_S) -> bool:
    """From now on hand free pages back every ``period`` seconds, from a thread of its own (once
    per process; False if not glibc). glibc returns memory by itself only from the top of the
    heap, so what a running lesson frees below live blocks stayed resident until runs closed. A
    trim takes 1-17 ms (measured during a soak) and ctypes releases the GIL meanwhile, so the
    window does not wait for it."""
    global _trimming
    if _TRIM is None:
        return False
    if not _trimming:
        _trimming = True

        def loop():
            while True:
                time.sleep(period)
                _TRIM(0)

        threading.Thread(target=loop, name=TRIM_THREAD, daemon=True).start()
    return True
