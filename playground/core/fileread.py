"""Opening files a user named, without trusting what they are.

A path can name a device (/dev/zero reports size 0 and never ends), a FIFO (opening it waits
for a writer, forever) or a file that grows while it is read. Readers here accept regular files
only and read at most a byte cap, so every file input ends in bounded time and memory.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


class IrregularFile(ValueError):
    """The path exists but is not a regular file, or holds more than the reader allows."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path) -> "os.FileIO":
    """``path`` opened for binary reading if it is a regular file; IrregularFile otherwise.

    O_NONBLOCK keeps the open itself from waiting on a FIFO; the check is made on the opened
    descriptor, so the file cannot be swapped between the check and the read.
    """
    path = Path(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise IrregularFile(f"{path} is {_kind(mode)}, not a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(f, cap: int, what: str, progress=None, total: int = 0, chunk: int = 1 << 22) -> bytes:
    """At most ``cap`` bytes of the open file ``f``; IrregularFile past it (``what`` names the file's
    role in the message). ``progress(done, total)`` is called after each chunk."""
    parts, got = [], 0
    while True:
        data = f.read(min(chunk, cap + 1 - got))
        if not data:
            break
        parts.append(data)
        got += len(data)
        if got > cap:
            raise IrregularFile(f"{what} is larger than {cap / 1024**2:,.0f} MB")
        if progress is not None:
            progress(got, total)
    return b"".join(parts)


def read_regular_file(path, cap: int, what: str) -> bytes:
    """The bytes of regular file ``path``, at most ``cap`` of them (IrregularFile otherwise)."""
    with open_regular(path) as f:
        return read_capped(f, cap, what)


def remove_stale(folder, pattern, older_than: float) -> list[Path]:
    """Delete regular files in ``folder`` whose whole name matches ``pattern`` (a compiled regex)
    and that were last written more than ``older_than`` seconds ago: temporaries a killed process
    left. Only the caller's own naming pattern is touched, and never a file being written now."""
    import time
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        try:
            if (pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                    and now - entry.stat(follow_symlinks=False).st_mtime > older_than):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed
