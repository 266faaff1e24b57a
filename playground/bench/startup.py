"""`nn-playground bench --startup N`: how long a start takes, cold and warm, in fresh processes.

Each run is a new process that starts the window as ``nn-playground`` does, presses Play as soon
as the window is on screen and exits once the run trains on the compiled kernels. It reports
three times from the moment the process was launched: the window shown, the first training step
done, and the compiled kernels in use (a cold start trains its first seconds on their numpy twin,
core/interim.py, while they compile).
Cold runs each get an empty NUMBA_CACHE_DIR (nothing compiled yet: a first start after
installing); warm runs share one that a cold run has filled. Settings go to a temporary folder.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def child_main(_args=()) -> int:
    launched = float(os.environ["NN_PLAYGROUND_LAUNCHED"])
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from playground.core import interim, precompile
    precompile.start("float32")
    from playground.gui._qt import QtCore
    from playground.gui.app import create_window, make_app

    tmp = tempfile.TemporaryDirectory(prefix="nn-playground-startup-")
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.IniFormat)
    QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, tmp.name)
    os.environ["NN_PLAYGROUND_HISTORY"] = os.path.join(tmp.name, "history.json")   # not the person's history
    app = make_app(["nn-playground"])
    window, controller = create_window(restore_settings=False, ask=lambda *_: True)
    window.show()
    app.processEvents()
    shown = time.time() - launched
    controller.play_pause()
    deadline = time.monotonic() + 300
    t = controller.trainer
    while t.step == 0 and controller.error is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    first_step = time.time() - launched
    while interim.active("float32") and controller.error is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    compiled = time.time() - launched
    ok = t.step > 0 and not interim.active("float32")
    window.close()
    controller.shutdown()
    tmp.cleanup()
    print(json.dumps({"window": round(shown, 3), "first_step": round(first_step, 3), "compiled": round(compiled, 3),
                      "ok": ok}), flush=True)
    return 0 if ok else 1


KEYS = ("window", "first_step", "compiled")


def _one(cache_dir: str | None) -> dict:
    """One start; ``cache_dir`` None keeps the caller's numba cache."""
    env = dict(os.environ, NN_PLAYGROUND_LAUNCHED=repr(time.time()))
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    from playground.children import command
    out = subprocess.run(command("startup"), env=env, capture_output=True, text=True, timeout=600)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"the start-up run failed:\n{out.stderr[-2000:]}")


def run_startup(n: int) -> dict:
    """n cold and n warm starts; medians and all values, in seconds since launch."""
    runs = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="nn-playground-numba-") as root:
        warm_dir = os.path.join(root, "warm")
        for i in range(n):
            runs["cold"].append(_one(os.path.join(root, f"cold{i}")))
        _one(warm_dir)                      # fills the warm cache (not counted)
        for _ in range(n):
            runs["warm"].append(_one(warm_dir))
    result = {}
    for kind, rs in runs.items():
        result[kind] = {key: {"median": round(statistics.median(r[key] for r in rs), 2),
                              "all": [r[key] for r in rs]} for key in KEYS}
    return result


def format_startup(result: dict) -> str:
    lines = ["seconds from launch (median of the runs; each run a fresh process)", "",
             "| start | window shown | first training step | compiled kernels in use |", "|---|---:|---:|---:|"]
    for kind in ("cold", "warm"):
        r = result[kind]
        lines.append(f"| {kind} | " + " | ".join(f"{r[key]['median']:.2f}" for key in KEYS) + " |")
    lines.append("")
    lines.append("cold: empty numba cache (first start after installing); warm: cache filled by an earlier start")
    lines.append("until the compiled kernels are in use, a run trains on their numpy twin (core/interim.py)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(child_main())
