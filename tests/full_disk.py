"""A disk with room for a few bytes only: files opened through os.fdopen (the atomic writers'
temporaries) take 16 bytes, then fail with ENOSPC as a full disk does."""
from __future__ import annotations

import errno
import os
import threading


class _FullFile:
    def __init__(self, f):
        self.f = f

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()
        return False

    def write(self, data):
        self.f.write(data[:16])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.f, name)


def fill_disk(monkeypatch, this_thread_only: bool = False) -> list[bool]:
    """Make the disk full; returns a one-item list: set its item False to give room again.
    ``this_thread_only``: other threads (a window's workers) still write normally."""
    real_fdopen = os.fdopen
    full, me = [True], threading.get_ident()

    def fdopen(fd, *a, **k):
        f = real_fdopen(fd, *a, **k)
        if full[0] and (not this_thread_only or threading.get_ident() == me):
            return _FullFile(f)
        return f

    monkeypatch.setattr(os, "fdopen", fdopen)
    return full
