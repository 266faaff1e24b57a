"""Python's cycle collector in the app: only in the GUI thread, and no full pass mid-run.

A collection that started in the training thread once destroyed a closed window's Qt object
there and deadlocked against the GUI thread; a full pass in the GUI thread once took 30-60 ms,
a visible stutter. See playground/gui/gcpolicy.py.
"""
from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest

pytestmark = pytest.mark.timeout(60)


class _Cycle:
    """Garbage only the cycle collector can free; records the thread that freed it."""

    freed_in: list[str] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        _Cycle.freed_in.append(threading.current_thread().name)


class _Box:
    pass


def test_garbage_made_by_another_thread_is_collected_in_the_gui_thread(qtbot):
    from playground.gui import gcpolicy

    collector = gcpolicy.install()
    assert not gc.isenabled()
    _Cycle.freed_in.clear()

    def make_garbage():
        for _ in range(2000):                 # far past the count that starts a collection
            _Cycle()

    t = threading.Thread(target=make_garbage, name="trainer-like")
    t.start()
    t.join()
    assert _Cycle.freed_in == [], "nothing may be collected in the other thread"
    # The count that makes a pass due also falls as older objects die (closed windows of earlier
    # tests): make any count due, so the timer's next check collects.
    threshold, collector.threshold = collector.threshold, (0,) + collector.threshold[1:]
    try:
        qtbot.waitUntil(lambda: len(_Cycle.freed_in) == 2000, timeout=5000)   # the GUI timer's pass
    finally:
        collector.threshold = threshold
    assert set(_Cycle.freed_in) == {threading.main_thread().name}
    assert sum(collector.passes) > 0


def test_full_passes_wait_while_a_run_is_active(qtbot):
    from playground.gui.gcpolicy import GuiGarbageCollector

    collector = GuiGarbageCollector()
    collector.timer.stop()                  # driven by hand here
    collector.threshold = (0, 0, 0)
    run = type("Run", (), {"run_active": True})()
    collector.watch(run)

    def due_for_full_pass():
        gc.collect(1)                        # generation 2 count + 1
        gc.collect(0)                        # generation 1 count + 1
        keep.append([_Box() for _ in range(50)])  # generation 0 count > 0 (new objects, no free list)

    keep = []
    due_for_full_pass()
    collector.check()
    assert collector.passes == [0, 1, 0]     # generation 1 only: training is running
    run.run_active = False
    due_for_full_pass()
    collector.check()
    assert collector.passes == [0, 1, 1]     # idle: the full pass runs
    del run
    gc.collect()
    assert not collector.busy()              # a closed window's controller does not hold it back


def test_settle_collects_then_freezes():
    from playground.gui.gcpolicy import GuiGarbageCollector

    collector = GuiGarbageCollector()
    collector.timer.stop()
    try:
        cycle = _Cycle()
        dead = weakref.ref(cycle)
        del cycle
        collector.settle()
        assert dead() is None                # garbage collected, not frozen
        assert gc.get_freeze_count() > 1000  # the long-lived rest is out of later passes' way
        alive = _Cycle()
        assert gc.is_tracked(alive)
    finally:
        gc.unfreeze()


def test_a_closed_run_a_view_lets_go_of_late_is_still_collected(qtbot):
    """Closing a run settles 250 ms later; a view that still held the run then (the replay bar
    polled every 250 ms) saw it frozen with everything else, and once it let go the run was
    garbage out of the collector's sight until the next network: a lesson's data through the
    next stretch. The settle sees that what closed is still alive and settles again later."""
    from playground.gui import gcpolicy
    from playground.gui._qt import QtCore

    collector = gcpolicy.install()
    try:
        run = _Cycle()
        gone = weakref.ref(run)
        view = [run]                                       # a view still showing the closed run
        del run
        collector.settle_soon(view[0])
        QtCore.QTimer.singleShot(700, view.clear)          # it lets go after the first settle
        qtbot.waitUntil(lambda: gone() is None, timeout=8000)
    finally:
        gc.unfreeze()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_memory_a_thread_left_in_the_heap_goes_back_to_the_system():
    """What a training thread frees stays in its arena, resident, until trimmed: the settle after
    runs close hands it back (a soak's closed lessons had left 190 MB of free heap resident)."""
    from playground.bench.soak import _rss_mb as _resident_mb
    from playground.gui.heap import return_free_memory

    kept = []

    def churn():
        blocks = [bytearray(4000) for _ in range(30_000)]     # 120 MB, beyond the pooled small blocks
        for b in blocks:
            b[::512] = b"x" * len(b[::512])                    # touched: really resident
        kept.extend(blocks[::64])                              # a few stay: the free space is in holes
        blocks.clear()

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    before = _resident_mb()
    assert return_free_memory()
    after = _resident_mb()
    assert before - after > 60, (before, after)
    assert len(kept) == 469


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
@pytest.mark.parametrize("limited", [False, True])
def test_limited_the_training_threads_share_two_malloc_arenas(limited):
    """glibc gives busy threads arenas of their own (a closed run's freed memory then stays in
    its arena); the window limits them to two. Counted with malloc_stats in a fresh process."""
    import subprocess
    import textwrap

    code = textwrap.dedent(f"""
        import ctypes, threading
        from playground.gui import heap
        if {limited}:
            assert heap.limit_arenas()
        ready, go = threading.Barrier(9), threading.Event()
        def work():
            blocks = [bytearray(20_000) for _ in range(50)]     # held while the others allocate too
            ready.wait()
            go.wait()
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        ready.wait()
        ctypes.CDLL(None).malloc_stats()
        go.set()
        for t in threads:
            t.join()
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    arenas = out.stderr.count("Arena ")
    assert (arenas <= 2) if limited else (arenas > 2), out.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mmap threshold")
@pytest.mark.parametrize("pinned", [False, True])
def test_pinned_big_arrays_freed_after_a_big_one_go_back_to_the_system(pinned):
    """After freeing a big block glibc raises its mmap threshold to that size, so the next
    lesson's arrays land in the heap, in holes between small blocks, and stay resident when freed.
    The window pins the threshold; measured without malloc_trim, in a fresh process."""
    import subprocess
    import textwrap

    code = textwrap.dedent(f"""
        import numpy as np
        from playground.bench.soak import _rss_mb
        from playground.gui import heap
        if {pinned}:
            assert heap.pin_mmap_threshold()
        big = np.ones(20 * 2**20, np.uint8)       # a dataset, freed: the threshold rises unpinned
        del big
        arrays, small = [], []
        for _ in range(80):
            arrays.append(np.ones(2**20, np.uint8))     # 1 MB each, touched
            small.append(bytearray(100_000))             # a live block after each: holes, not a top to trim
        before = _rss_mb()
        arrays.clear()
        print(before - _rss_mb())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    returned = float(out.stdout.split()[-1])
    assert (returned > 70) if pinned else (returned < 10), returned


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
@pytest.mark.parametrize("trimming", [False, True])
def test_memory_freed_below_live_blocks_goes_back_to_the_system_while_runs_go_on(trimming):
    """glibc hands memory back by itself only from the top of the heap: blocks freed below live
    ones stayed resident while a lesson ran. The window trims every few seconds; in a fresh
    process, with a short period."""
    import subprocess
    import textwrap

    code = textwrap.dedent(f"""
        import time
        from playground.bench.soak import _rss_mb
        from playground.gui import heap
        assert heap.pin_mmap_threshold()
        if {trimming}:
            assert heap.trim_every(0.2)
        blocks, live = [], []
        for i in range(600):
            blocks.append(bytes([i % 251]) * 100_000)     # 60 MB in the heap (under the mmap threshold), touched
            live.append(bytes([i % 251]) * 3_000)         # a live block after each: holes, not a top
        before = _rss_mb()
        blocks.clear()
        time.sleep(1.0)
        print(before - _rss_mb())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    returned = float(out.stdout.split()[-1])
    assert (returned > 45) if trimming else (returned < 10), returned
