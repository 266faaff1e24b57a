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
    entry.read(ROOT / "playground" / "desktop" / f"{APP_ID}.desktop")
    d = entry["Desktop Entry"]
    name, _ = _console_script()
    assert d["Exec"].split()[0] == name
    assert d["Icon"] == APP_ID and d["Terminal"] == "false" and d["Type"] == "Application"
    assert d["StartupWMClass"] == name


def test_metainfo_names_the_desktop_entry_and_binary():
    tree = ET.parse(ROOT / "playground" / "desktop" / f"{APP_ID}.metainfo.xml").getroot()
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
    assert len(found) >= 3, found
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


def test_frozen_entry_script_runs_as_a_top_level_script():
    # PyInstaller runs its entry script as __main__ outside any package: a relative import there
    # ends the frozen app at once ("attempted relative import with no known parent package").
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "nn_playground_main.py"), "--version"],
                         capture_output=True, text=True, cwd=ROOT / "packaging", timeout=120,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(__import__("playground").__version__)


def test_a_frozen_app_starts_its_children_through_its_own_executable(monkeypatch, capsys):
    import sys

    from playground import children
    from playground.core import precompile
    assert children.command("precompile", "float32", "train")[1:] == ["-m", "playground.core.precompile",
                                                                     "float32", "train"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    cmd = children.command("precompile", "float32", "train")
    assert cmd == [sys.executable, "--nn-playground-child=precompile", "float32", "train"]
    assert precompile.can_spawn()          # the frozen app compiles in a child too, not in its GUI process
    # The entry point hands that command line to the module's child_main, not to the CLI.
    seen = []
    monkeypatch.setattr(precompile, "child_main", lambda args: seen.append(args) or 0)
    assert children.main(cmd[1:]) == 0 and seen == [["float32", "train"]]
    assert children.main(["--nn-playground-child=nonsense"]) == 2


def test_every_data_file_of_the_package_is_package_data():
    # A wheel or sdist ships only the non-Python files that package-data names; one it misses
    # (the shipped digit model, the desktop entry) works in a checkout and is gone once installed.
    import fnmatch
    import subprocess
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["playground"]
    tracked = subprocess.run(["git", "ls-files", "playground"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:
        import pytest
        pytest.skip("not a git checkout")
    data = [p[len("playground/"):] for p in tracked if not p.endswith(".py")]
    assert "assets/digit-model.npz" in data and f"desktop/{APP_ID}.desktop" in data
    missing = [p for p in data if not any(fnmatch.fnmatch(p, pat) for pat in patterns)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"


def test_runtime_hook_falls_back_to_the_temporary_folder_when_the_user_cache_cannot_be_made(monkeypatch,
                                                                                            tmp_path):
    import os
    monkeypatch.setenv("NUMBA_CACHE_DIR", "")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")     # even root cannot mkdir below it
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda app: str(blocker / app))
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "tmp"))
    code = (ROOT / "packaging" / "rthook_numba_cache.py").read_text()
    exec(compile(code, "rthook", "exec"), {})
    folder = os.environ["NUMBA_CACHE_DIR"]
    assert folder.startswith(str(tmp_path / "tmp")) and os.path.isdir(folder)
