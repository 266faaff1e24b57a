"""`nn-playground install-desktop` / `uninstall-desktop` with a temporary XDG_DATA_HOME: the
files land where a desktop looks for them, name the installed command, validate, and uninstall
removes exactly them."""
import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from playground.cli import main
from playground.desktop import APP_ID, exec_line

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    # Something of another app's already there: uninstall must leave it alone.
    other = home / "applications" / "org.example.Other.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    return home


def test_install_puts_entry_icons_and_metainfo_in_the_xdg_folders(data_home, capsys):
    assert main(["install-desktop"]) == 0
    expected = {f"applications/{APP_ID}.desktop", f"metainfo/{APP_ID}.metainfo.xml",
                f"icons/hicolor/scalable/apps/{APP_ID}.svg", "applications/org.example.Other.desktop"}
    expected |= {f"icons/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in PNG_SIZES}
    assert _files(data_home) == expected
    for n in PNG_SIZES:
        with Image.open(data_home / f"icons/hicolor/{n}x{n}/apps/{APP_ID}.png") as im:
            assert im.size == (n, n) and im.mode == "RGBA"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(data_home / "applications" / f"{APP_ID}.desktop")
    command = entry["Desktop Entry"]["Exec"]
    # The installed command itself (this venv's script), which must exist and be executable.
    assert os.path.isabs(command.split()[0]) and os.access(command.split()[0], os.X_OK), command
    assert entry["Desktop Entry"]["Icon"] == APP_ID
    assert str(data_home) in capsys.readouterr().out


def test_uninstall_removes_exactly_what_install_wrote(data_home):
    before = _files(data_home)
    assert main(["install-desktop"]) == 0
    assert main(["install-desktop"]) == 0           # twice is the same as once
    assert len(_files(data_home)) == len(before) + 2 + 1 + len(PNG_SIZES)
    assert main(["uninstall-desktop"]) == 0
    assert _files(data_home) == before
    assert main(["uninstall-desktop"]) == 0          # nothing left to remove is no error


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_installed_entry_validates(data_home):
    assert main(["install-desktop"]) == 0
    out = subprocess.run(["desktop-file-validate", str(data_home / "applications" / f"{APP_ID}.desktop")],
                         capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_installed_metainfo_validates(data_home):
    assert main(["install-desktop"]) == 0
    out = subprocess.run(["appstreamcli", "validate", "--no-net", str(data_home / "metainfo" / f"{APP_ID}.metainfo.xml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_exec_quotes_a_path_with_spaces_as_the_spec_says():
    # Desktop Entry spec: an argument with a reserved character is double-quoted, with " ` $ \
    # backslash-escaped inside, and then the value is escaped as a string (\ -> \\).
    assert exec_line(["/opt/nn-playground/nn-playground"]) == "/opt/nn-playground/nn-playground"
    assert exec_line(["/home/a b/bin/nn-playground"]) == '"/home/a b/bin/nn-playground"'
    assert exec_line(['/x/$y"z', "-m", "playground"]) == '"/x/\\\\$y\\\\"z" -m playground'
    assert exec_line(["/x/100%"]) == "/x/100%%"
