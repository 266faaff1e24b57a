"""``nn-playground selftest``: open the real window, train the default network for a few seconds
with the plots live, save a screenshot, and report (optionally as one JSON line).

Exit code 0 only if training progressed, the plots received data and no error occurred.
Settings go to a temporary folder so the user's own settings are never touched.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time


def _pump(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return
        time.sleep(0.002)


def open_window(settings_dir: str):
    """(app, window, controller): the real window at 1400 x 880, default settings, its settings
    written to ``settings_dir`` (never the user's), shown and painted once."""
    from playground.core import runhistory

    from ._qt import QtCore
    from .app import create_window, make_app

    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.IniFormat)
    QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, settings_dir)
    os.environ[runhistory.ENV] = os.path.join(settings_dir, "history.json")   # the person's history untouched
    app = make_app([sys.argv[0] if sys.argv else "nn-playground"])
    window, controller = create_window(restore_settings=False, ask=lambda *_: True)
    window.resize(1400, 880)
    window.show()
    _pump(app, 0.3)
    return app, window, controller


def run_selftest(screenshot: str | None, json_out: bool, seconds: float = 4.0, runs: int = 1) -> int:
    """``runs`` > 1: as many runs of the default network train at once, each its own session
    (the window shows the last one)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report = {"ok": False, "steps": 0, "epochs": 0, "samples_seen": 0, "snapshots_drawn": 0, "plot_redraws": 0,
              "view_updates": 0, "max_ui_gap_ms": None, "p99_ui_gap_ms": None, "max_ui_gap_ms_compiling": None,
              "compile_seconds": None, "samples_per_second": 0.0, "state": "", "error": None, "screenshot": None,
              "platform": None, "runs": runs, "steps_per_run": []}
    tmp = tempfile.TemporaryDirectory(prefix="nn-playground-selftest-")
    window = controller = None
    try:
        app, window, controller = open_window(tmp.name)
        report["platform"] = app.platformName()
        if controller.trainer is None:
            raise RuntimeError("the default network could not be built")

        # Train until stopped, so the whole measuring window is spent training at full speed.
        controller.w.set_speed("full")
        controller.w.controls.until_stopped.setChecked(True)
        if controller.trainer is None or controller.trainer.config.epochs is not None:
            raise RuntimeError("could not switch the default network to 'run until stopped'")
        if controller.trainer.throttle is not None:
            raise RuntimeError("could not switch the speed to 'Full speed'")
        t0 = time.monotonic()
        controller.gaps.reset()
        controller.play_pause()
        # The first start may compile the kernels (seconds); the window stays live meanwhile.
        _pump(app, 180.0, until=lambda: (controller.trainer.latest is not None and controller.trainer.step > 0)
              or controller.error is not None or not controller.run_active)
        report["compile_seconds"] = round(time.monotonic() - t0, 2)
        report["max_ui_gap_ms_compiling"] = round(controller.gaps.max_gap_ms, 1)
        for _ in range(runs - 1):
            controller.new_session()           # the same controls: until stopped, at full speed
            controller.play_pause()
        _pump(app, 30.0, until=lambda: all(s.trainer.step > 0 for s in controller.sessions)
              or controller.error is not None)

        controller.gaps.reset()
        drawn0 = controller.snapshots_drawn
        _pump(app, seconds, until=lambda: controller.error is not None or not controller.run_active)
        report["max_ui_gap_ms"] = round(controller.gaps.max_gap_ms, 1)
        p99 = controller.gaps.percentile(99)
        report["p99_ui_gap_ms"] = None if p99 is None else round(p99, 1)

        if screenshot:
            window.grab().save(screenshot)
            report["screenshot"] = os.path.abspath(screenshot)
        for s in controller.sessions:
            s.stop()
        _pump(app, 10.0, until=lambda: not any(s.run_active for s in controller.sessions))
        report["steps_per_run"] = [int(s.trainer.step) for s in controller.sessions]
        t = controller.trainer
        snap = t.latest
        report.update(steps=int(t.step), epochs=int(t.epoch), samples_seen=int(t.samples_seen),
                      snapshots_drawn=controller.snapshots_drawn - drawn0 if drawn0 else controller.snapshots_drawn,
                      plot_redraws=window.plots.points_drawn,
                      view_updates=window.views.boundary.updates + window.views.diagram.paint_count,
                      samples_per_second=round(float(snap.samples_per_second), 1) if snap else 0.0,
                      state=controller.phase, error=controller.error)
        curves_have_data = window.plots.snap_series.n > 0 and window.plots.layer_series.n > 0
        report["ok"] = bool(min(report["steps_per_run"]) > 0 and report["snapshots_drawn"] > 0 and curves_have_data
                            and controller.error is None)
    except Exception as exc:  # reported, never a traceback dump instead of the JSON line
        import traceback
        report["error"] = f"{type(exc).__name__}: {exc}"
        report["traceback"] = traceback.format_exc()
    finally:
        if window is not None:
            window.close()
        if controller is not None:
            controller.shutdown()
        tmp.cleanup()

    if json_out:
        print(json.dumps(report), flush=True)
    else:
        print(f"selftest {'OK' if report['ok'] else 'FAILED'}: {report['steps']} steps, {report['epochs']} epochs, "
              f"{report['snapshots_drawn']} snapshots drawn, max UI gap {report['max_ui_gap_ms']} ms "
              f"(first start {report['compile_seconds']} s)"
              + (f", screenshot {report['screenshot']}" if report['screenshot'] else "")
              + (f"\nerror: {report['error']}" if report['error'] else ""), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="the selftest, optionally with several runs training at once")
    p.add_argument("screenshot", nargs="?")
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--runs", type=int, default=1, choices=range(1, 5))
    a = p.parse_args()
    sys.exit(run_selftest(a.screenshot, True, a.seconds, a.runs))
