"""Which dataset a folder holds, as the window's folder scans ask it: by content, and read once
while the files stay the same."""
import gzip
import os
import shutil

from playground.core.data import identify
from playground.core.data.idx import read_idx
from playground.core.data.locate import _search_root


def _copy(src, dst):
    dst.mkdir()
    for f in src.iterdir():
        if f.name.endswith(".gz"):
            shutil.copy(f, dst / f.name)
    return dst


def test_folder_scan_reads_each_file_set_once_until_it_changes(shared_mnist_dir, tmp_path, monkeypatch):
    folder = _copy(shared_mnist_dir, tmp_path / "digits")
    calls = []
    real = identify.identify
    monkeypatch.setattr(identify, "identify", lambda paths, arrays=None: calls.append(1) or real(paths, arrays))
    identify._identified.cache_clear()

    assert identify.datasets_in(folder) == {"mnist": "mnist"}
    assert identify.datasets_in(folder) == {"mnist": "mnist"}
    assert len(calls) == 1

    # Replaced files (new time) are looked at again.
    f = folder / "t10k-images-idx3-ubyte.gz"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert identify.datasets_in(folder) == {"mnist": "mnist"}
    assert len(calls) == 2


def test_the_reason_names_the_share_of_blank_frames(shared_mnist_dir, tmp_path):
    folder = _copy(shared_mnist_dir, tmp_path / "digits")
    # A re-compressed copy has no known checksum, so the images decide.
    for f in folder.iterdir():
        f.write_bytes(gzip.compress(gzip.decompress(f.read_bytes()), compresslevel=1))
    held, why = identify.identify(_search_root(folder, "mnist", [], ""))
    assert held == "mnist"
    share, n = identify.blank_frame_share(read_idx(folder / "t10k-images-idx3-ubyte.gz", ndim=3))
    assert f"{100 * share:.0f}% of {n:,} images" in why
