"""playground.core must never pull in Qt: the CLI, the benchmark and headless servers use it
without a display, and the GUI's worker thread relies on the core being GUI-agnostic."""
import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import playground.core

QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6", "PySide2")
CORE_DIR = Path(playground.core.__file__).parent
REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def _core_modules() -> list[str]:
    names = ["playground.core"]
    for info in pkgutil.walk_packages([str(CORE_DIR)], prefix="playground.core."):
        names.append(info.name)
    return names


def _qt_modules_loaded_by(modules: list[str]) -> list[str]:
    """Qt modules present after importing ``modules`` in a fresh interpreter (this test process
    may already have Qt loaded by the GUI tests)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240,
                         cwd=REPO, env=ENV)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_every_core_module_loads_no_qt():
    modules = _core_modules()
    assert len(modules) > 5, modules
    assert _qt_modules_loaded_by(modules) == []


def test_cli_train_path_loads_no_qt():
    assert _qt_modules_loaded_by(["playground.cli", "playground.bench"]) == []


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    roots.add(arg.value.split(".")[0])
    return roots


def test_core_sources_contain_no_qt_imports():
    sources = sorted(CORE_DIR.rglob("*.py"))
    assert sources
    offenders = {}
    for path in sources:
        roots = _imported_roots(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        bad = roots.intersection(QT_MODULES)
        # Core may not reach into the GUI package either.
        text = path.read_text(encoding="utf-8")
        if "playground.gui" in text or "from ..gui" in text or "from ...gui" in text:
            bad.add("playground.gui")
        if bad:
            offenders[str(path.relative_to(CORE_DIR))] = sorted(bad)
    assert offenders == {}
