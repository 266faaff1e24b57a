"""Desktop integration: the .desktop entry, the icon and the AppStream metainfo, installed into
the user's XDG data folder so the desktop's menu lists NN Playground (``nn-playground
install-desktop``), and removed again (``nn-playground uninstall-desktop``).

The files here are templates: the installed entry's Exec names the command that installed it, so
a venv or a frozen build that is not on PATH still starts. Nothing here imports Qt: the icon's
PNG sizes are scaled from the 256 px PNG with Pillow.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

APP_ID = "io.github.nn_playground.NNPlayground"
HERE = Path(__file__).resolve().parent
ICONS = HERE.parent / "gui" / "icons"
DESKTOP_FILE = HERE / f"{APP_ID}.desktop"
METAINFO_FILE = HERE / f"{APP_ID}.metainfo.xml"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share (the spec ignores a relative value)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def targets(home: Path | None = None) -> dict[str, Path]:
    """Every file install() writes, by what it is; uninstall() removes exactly these."""
    home = home or data_home()
    out = {"desktop": home / "applications" / f"{APP_ID}.desktop",
           "metainfo": home / "metainfo" / f"{APP_ID}.metainfo.xml",
           "svg": home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"}
    for n in PNG_SIZES:
        out[f"png{n}"] = home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
    return out


def launcher() -> list[str]:
    """The command that starts this installation: the frozen executable, the nn-playground script
    beside this Python (a venv's bin/), the one on PATH, or this Python with -m playground."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    exe = Path(sys.executable)
    beside = exe.parent / "nn-playground"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    on_path = shutil.which("nn-playground")
    if on_path:
        return [str(Path(on_path).resolve())]
    return [str(exe), "-m", "playground"]


# Characters that make an Exec argument need quotes (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def exec_line(argv: list[str]) -> str:
    """argv as an Exec value: quoted where the spec asks, then escaped as a string value."""
    parts = []
    for arg in argv:
        if _RESERVED & set(arg):
            inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
            arg = f'"{inner}"'
        parts.append(arg.replace("%", "%%"))
    return " ".join(parts).replace("\\", "\\\\")


def desktop_entry(argv: list[str]) -> str:
    lines = []
    for line in DESKTOP_FILE.read_text(encoding="utf-8").splitlines():
        lines.append(f"Exec={exec_line(argv)}" if line.startswith("Exec=") else line)
    return "\n".join(lines) + "\n"


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a temporary file beside the target, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _png(size: int) -> bytes:
    import io

    from PIL import Image

    with Image.open(ICONS / "icon.png") as im:
        im = im.convert("RGBA")
        if im.size != (size, size):
            im = im.resize((size, size), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, format="PNG")
    return buf.getvalue()


def install(home: Path | None = None, argv: list[str] | None = None) -> dict[str, Path]:
    """Write the entry, metainfo and icons; returns what was written (by kind)."""
    paths = targets(home)
    _write(paths["desktop"], desktop_entry(argv or launcher()).encode("utf-8"))
    _write(paths["metainfo"], METAINFO_FILE.read_bytes())
    _write(paths["svg"], (ICONS / "icon.svg").read_bytes())
    for n in PNG_SIZES:
        _write(paths[f"png{n}"], _png(n))
    return paths


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove the files install() writes (only those); returns the ones that were there."""
    removed = []
    for path in targets(home).values():
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed
