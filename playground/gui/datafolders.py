"""The data folders the window remembers: one QSettings key per dataset.

MNIST and Fashion-MNIST share file names, so one remembered folder for both made Fashion-MNIST
train on a folder of MNIST digits. A folder is remembered for the dataset its files hold.
"""
from __future__ import annotations

from . import settings as st
from ._qt import QtWidgets

KEY = "data/folder/{}"
LEGACY_KEY = "data/dir"       # before: one folder for every dataset


def remembered(name: str) -> str | None:
    _migrate()
    return st.value(KEY.format(name), "") or None


def remember(name: str, folder: str) -> None:
    st.set_value(KEY.format(name), folder)


def _migrate() -> None:
    """Give the old shared folder to the dataset(s) it really holds, once."""
    old = st.value(LEGACY_KEY, "")
    if not old:
        return
    st.settings().remove(LEGACY_KEY)
    from playground.core.data.identify import datasets_in
    try:
        for name in datasets_in(old):
            if not st.value(KEY.format(name), ""):
                remember(name, old)
    except Exception:       # an unreadable old folder is simply forgotten
        pass


def choose(parent, current: str) -> list[str]:
    """Ask for a folder; remember it for each dataset it holds. Returns those datasets."""
    from playground.core.data.identify import datasets_in
    folder = QtWidgets.QFileDialog.getExistingDirectory(parent, "Folder holding MNIST / Fashion-MNIST",
                                                        remembered(current) or "")
    if not folder:
        return []
    try:
        found = datasets_in(folder)
    except Exception as e:       # unreadable files: said, not raised into Qt
        found, error = {}, f"\n\n{e}"
    else:
        error = ""
    # Files that do not say which dataset they are belong to the dataset chosen in the window.
    names = [n for n, held in found.items() if held is not None or n == current] or \
        [n for n in found if len(found) == 1]
    if not names:
        QtWidgets.QMessageBox.warning(
            parent, "No MNIST or Fashion-MNIST files there",
            f"{folder} holds neither MNIST nor Fashion-MNIST (the four .gz files, directly or in an "
            f"mnist/ or fashion-mnist/ subfolder).{error}")
        return []
    for name in names:
        remember(name, folder)
    return names
