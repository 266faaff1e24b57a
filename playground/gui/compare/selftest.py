"""``nn-playground bench --ui N --twins K`` runs this in a fresh process: the real window, a
comparison of K twins of the default spirals run (activations sigmoid, tanh, ReLU, leaky ReLU)
training at full speed with the Compare page on show, and a 10 ms timer measuring the gaps
between its ticks. Prints one JSON line. Settings go to a temporary folder."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def run(seconds: float, n_twins: int) -> dict:
    if not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from playground.core.compare import twins_from_overrides
    from playground.core.runspec import RunSpec

    from ..selftest import _pump, open_window
    from . import open_comparison

    report = {"ok": False, "twins": n_twins, "max_ui_gap_ms": None, "p99_ui_gap_ms": None,
              "samples_per_twin": [], "page_redraws": 0, "error": None}
    tmp = tempfile.TemporaryDirectory(prefix="nn-playground-twins-")
    window = controller = None
    try:
        app, window, controller = open_window(tmp.name)
        window.set_speed("full")
        base = RunSpec.from_settings({**controller.applied, "until_stopped": True})
        comp = open_comparison(controller, twins_from_overrides(
            base, [{"activation": a} for a in ACTIVATIONS[:n_twins]]))
        # The first start may compile the kernels; measuring starts once every twin trains and
        # the page has been painted once with data (first paints lay out and cache text).
        _pump(app, 180.0, until=lambda: all(s.trainer.step > 0 for s in comp.sessions)
              or any(s.error for s in comp.sessions))
        _pump(app, 1.0)
        controller.gaps.reset()
        redraws = window.compare.redraws
        _pump(app, seconds)
        report["max_ui_gap_ms"] = round(controller.gaps.max_gap_ms, 1)
        p99 = controller.gaps.percentile(99)
        report["p99_ui_gap_ms"] = None if p99 is None else round(p99, 1)
        report["page_redraws"] = window.compare.redraws - redraws
        report["samples_per_twin"] = [int(s.trainer.samples_seen) for s in comp.sessions]
        errors = [s.error for s in comp.sessions if s.error]
        report["error"] = errors[0] if errors else None
        report["ok"] = bool(min(report["samples_per_twin"]) > 0 and report["page_redraws"] > 0 and not errors)
    except Exception as exc:  # reported in the JSON line, never a bare traceback
        report["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if window is not None:
            window.close()
        if controller is not None:
            controller.shutdown()
        tmp.cleanup()
    return report


def child_main(args) -> int:
    """``bench --ui N --twins K`` starts this as a child process (playground/children.py)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--twins", type=int, default=3, choices=range(1, 5))
    a = p.parse_args(args)
    result = run(a.seconds, a.twins)
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
