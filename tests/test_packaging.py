"""The desktop entry, AppStream metadata and PyInstaller spec agree with the installed command."""
import configparser
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.nn_playground.NNPlayground"


def _console_script():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (name, target), = project["scripts"].items()
    return name, target


def test_desktop_entry_launches_the_console_script():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "packaging" / f"{APP_ID}.desktop")
    d = entry["Desktop Entry"]
    name, _ = _console_script()
    assert d["Exec"].split()[0] == name
    assert d["Icon"] == APP_ID and d["Terminal"] == "false" and d["Type"] == "Application"
    assert d["StartupWMClass"] == name


def test_metainfo_names_the_desktop_entry_and_binary():
    tree = ET.parse(ROOT / "packaging" / f"{APP_ID}.metainfo.xml").getroot()
    assert tree.findtext("id") == APP_ID
    assert tree.find("launchable").text == f"{APP_ID}.desktop"
    assert tree.find("provides/binary").text == _console_script()[0]
    import playground
    assert tree.find("releases/release").get("version") == playground.__version__


def test_pyinstaller_spec_points_at_real_files():
    import re
    spec = (ROOT / "packaging" / "nn-playground.spec").read_text()
    compile(spec, "nn-playground.spec", "exec")          # at least valid Python
    # Every path the spec builds: root / "a" / "b" from the repository, Path(SPECPATH) / "c" from packaging/.
    bases = {"root": ROOT, "Path(SPECPATH)": ROOT / "packaging"}
    found = re.findall(r'(root|Path\(SPECPATH\))((?:\s*/\s*"[^"]+")+)', spec)
    assert len(found) >= 4, found
    for base, parts in found:
        path = bases[base].joinpath(*re.findall(r'"([^"]+)"', parts))
        assert path.is_file(), f"the spec names {path}, which does not exist"
    assert "console=False" in spec


def test_runtime_hook_sets_a_stable_numba_cache(monkeypatch, tmp_path):
    # setenv first, so the teardown restores the variable as it was (unset too): the hook sets it,
    # and a leaked NUMBA_CACHE_DIR would move every later test's numba cache.
    monkeypatch.setenv("NUMBA_CACHE_DIR", "")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda app: str(tmp_path / app))
    code = (ROOT / "packaging" / "rthook_numba_cache.py").read_text()
    exec(compile(code, "rthook", "exec"), {})
    import os
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "nn-playground" / "numba")
