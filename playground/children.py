"""Processes the app starts of itself: the kernels' compile (core/precompile.py), the runs of the
start-up benchmark (bench/startup.py), the soak (bench/soak.py) and the twin runs of ``bench --ui
--twins`` (gui/compare/selftest.py).

Installed, a child is ``python -m MODULE ARGS``. A frozen build has no ``python -m``: its one
executable is started again with ``--nn-playground-child=NAME ARGS`` as its first argument, and
``main`` (the frozen entry point) runs that module's ``child_main(args)`` instead of the command.
"""
from __future__ import annotations

import importlib
import sys

FLAG = "--nn-playground-child="
CHILDREN = {"precompile": "playground.core.precompile", "startup": "playground.bench.startup",
            "soak": "playground.bench.soak", "compare-selftest": "playground.gui.compare.selftest"}


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def command(name: str, *args: str) -> list[str]:
    """The argument list that starts child ``name`` with ``args``."""
    if frozen():
        return [sys.executable, FLAG + name, *args]
    return [sys.executable, "-m", CHILDREN[name], *args]


def app_command(*args: str) -> list[str]:
    """The argument list that runs ``nn-playground ARGS`` with this installation."""
    return [sys.executable, *args] if frozen() else [sys.executable, "-m", "playground", *args]


def main(argv: list[str] | None = None) -> int:
    """The frozen app's entry point: a child when the first argument says so, else the command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith(FLAG):
        name = argv[0][len(FLAG):]
        if name not in CHILDREN:
            print(f"nn-playground: unknown child process {name!r}", file=sys.stderr)
            return 2
        return int(importlib.import_module(CHILDREN[name]).child_main(argv[1:]) or 0)
    from .cli import main as cli_main
    return cli_main(argv)
