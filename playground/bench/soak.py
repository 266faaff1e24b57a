"""`nn-playground bench --soak MINUTES`: a lesson's worth of use, offscreen, in one window.

Runs train at once at full speed, all the time, on the Compare page. Every few minutes (a
lesson's pace) they make way for others, in turn: three twins of a toy scenario that differ in
their activation, then the next lesson whose data is on this machine (its one to three runs),
then three twins again. Every few seconds another run is put on show and another view tab
drawn, so every plot is live in turn, and part of the time the Draw tab is shown and fed
mouse strokes (real mouse events on the canvas), which the panel reads as it does a person's.

It reports crashes (must be 0: the process dying, an uncaught exception in the GUI thread or a
worker thread, a run's error), resident memory at the end of the warm-up and at the end and
their difference, the frame gaps of a 10 ms timer after the warm-up (max and p99: how long the
window could not react), and the snapshots drawn. The soak runs in a child process, so even a
hard crash (a segfault, an abort in Qt) is counted and reported with the figures up to then.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

SWITCH_SECONDS = 180.0          # a lesson every three minutes
ROTATE_SECONDS = 30.0           # another run on show, another tab (a run put on show rebuilds its plots)
DRAW_SHARE = 0.25               # of each rotation, the Draw tab is shown for this part
WARMUP_SECONDS = 60.0
PROGRESS_SECONDS = 10.0
TICK_MS = 40                    # the driver: a drawing point every tick (25 points a second)

# The three-twin comparisons, one per such switch (cycled), each twinned on its activation.
SCENARIOS = [
    {"dataset": "spirals", "hidden": [12, 12], "activation": "tanh"},
    {"dataset": "circles", "hidden": [16], "activation": "relu"},
    {"dataset": "moons", "hidden": [8, 8, 8], "activation": "sigmoid", "optimizer": "momentum", "eta": 0.1},
    {"dataset": "xor", "hidden": [10], "activation": "leaky_relu"},
    {"dataset": "gaussians", "hidden": [24, 12], "activation": "elu", "dropout": 0.1},
]
TWIN_ACTIVATIONS = ["tanh", "relu", "sigmoid"]


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # peak, not current


def lessons_here() -> list[str]:
    """The lessons whose data this machine has without a download (the toys' always)."""
    from playground.core import lessons
    from playground.core.catalogue import info
    from playground.core.data.locate import locate_dataset
    from playground.core.errors import DataError

    out = []
    for name in lessons.names():
        data = lessons.load(name).spec().data
        if info(data.name).kind == "image":
            try:
                locate_dataset(data.name, data_dir=data.data_dir, allow_download=False)
            except DataError:
                continue
        out.append(name)
    return out


def _settings(controls_state: dict, scenario: dict) -> dict:
    s = {**controls_state, **scenario, "until_stopped": True, "seed": 1}
    s["hidden_activations"] = [s["activation"]] * len(s["hidden"])
    s["per_layer"] = False
    return s


class Soak:
    """Drives the window from a timer; ``result()`` is the report."""

    def __init__(self, app, window, controller, seconds: float):
        from playground.gui._qt import QtCore

        self.app, self.w, self.c = app, window, controller
        self.seconds = seconds
        # An odd number of stretches, at most SWITCH_SECONDS each (three for a short soak, the
        # test's): the soak starts and ends on three twins of a toy, so the memory at its
        # end is not that of a lesson's data on show and compares with the memory after warm-up.
        stretches = max(3, math.ceil(seconds / SWITCH_SECONDS))
        self.switch_every = seconds / (stretches + 1 - stretches % 2)
        self.rotate_every = max(1.0, min(ROTATE_SECONDS, seconds / 6.0))
        self.warmup = min(WARMUP_SECONDS, 0.2 * seconds)
        self.errors: list[str] = []
        self.crashes = 0
        self.switches = 0
        self.lesson_names = lessons_here()
        self.lessons_opened: list[str] = []
        self.max_runs = 0
        self._watched: set[int] = set()
        self.gaps = None
        self._n_gaps = 0
        self.rss_start = self.rss_end = self.rss_max = None
        self.snap0 = 0
        self.steps0: dict[int, int] = {}
        self.t0 = time.monotonic()
        self._next_switch = self.t0 + self.switch_every
        self._next_rotate = self.t0 + self.rotate_every
        self._next_progress = self.t0 + PROGRESS_SECONDS
        self._warm = False
        self._rotation = 0
        self._stroke: list = []
        self._strokes_drawn = 0
        self.draw_points = 0
        self.slowest_switch = self.slowest_rotate = 0.0
        self.timer = QtCore.QTimer()
        self.timer.timeout.connect(self._tick)

    # ------------------------------------------------------------------ set-up
    def start(self) -> None:
        import numpy as np

        self.w.set_speed("full")
        cap = int(self.seconds * 1000 / 10 * 1.2) + 10_000      # every 10 ms gap, preallocated
        self.gaps = np.zeros(cap, np.float32)
        self._switch()
        self.timer.start(TICK_MS)

    def _watch_sessions(self) -> None:
        for s in self.c.sessions:
            if id(s) not in self._watched:
                self._watched.add(id(s))
                s.sigError.connect(self._on_run_error)

    def _on_run_error(self, text: str) -> None:
        self.crashes += 1
        self.errors.append("run error: " + text.strip().splitlines()[-1][:300])

    def on_exception(self, where: str, exc: BaseException) -> None:
        self.crashes += 1
        self.errors.append(f"{where}: {type(exc).__name__}: {exc}"[:400])

    # ------------------------------------------------------------------ switching
    def _switch(self) -> None:
        """The runs on show make way: for a lesson (odd switches) or three twins (even ones)."""
        from playground.core import compare, lessons
        from playground.core.runspec import RunSpec

        k = self.switches
        self.switches += 1
        if k % 2 and self.lesson_names:
            name = self.lesson_names[(k // 2) % len(self.lesson_names)]
            self.lessons_opened.append(name)
            self._open(lessons.load(name).twins_or_run())
        else:
            scenario = SCENARIOS[(k // 2) % len(SCENARIOS)]
            base = RunSpec.from_settings(_settings(self.w.controls.state(), scenario))
            self._open(compare.twins(base, "activation", TWIN_ACTIVATIONS))
        self._watch_sessions()

    def _open(self, twins) -> None:
        from playground.gui.compare import open_comparison

        old = list(self.c.sessions)
        open_comparison(self.c, twins)
        for s in old:                    # a class moves on: the previous lesson's runs go
            self.c.close_session(s)
        self.max_runs = max(self.max_runs, len(self.c.sessions))

    # ------------------------------------------------------------------ the driver
    def _tick(self) -> None:
        try:
            self._drive()
        except Exception as exc:        # noqa: BLE001  counted, and the soak goes on
            self.on_exception("driver", exc)

    def _drive(self) -> None:
        from playground.core import interim

        now = time.monotonic()
        self._harvest_gaps()
        if not self._warm and now - self.t0 >= self.warmup and (not interim.active("float32")
                                                                 or now - self.t0 >= self.seconds / 2):
            # Warm: past the warm-up and on the compiled kernels (a first start trains on their
            # numpy twin for a while, core/interim.py), unless the compile takes half the soak.
            self._warm = True
            self.warmup = now - self.t0
            self.rss_start = _rss_mb()
            self.c.gaps.reset()
            self._n_gaps = 0
            self.snap0 = self.c.snapshots_drawn
        if now >= self._next_switch:
            self._next_switch = now + self.switch_every
            self._switch()
            self.slowest_switch = max(self.slowest_switch, time.monotonic() - now)
        if now >= self._next_rotate:
            self._next_rotate = now + self.rotate_every
            self._rotate()
            self.slowest_rotate = max(self.slowest_rotate, time.monotonic() - now)
        if self.w.pages.currentWidget() is self.w.draw:
            if now >= self._next_rotate - self.rotate_every * (1 - DRAW_SHARE):
                self.w.pages.setCurrentIndex(0)            # back to the training page
            else:
                self._draw_point()
        shown = self.c.active
        for s in self.c.sessions:        # a run that ended (diverged, say) trains again
            if s.trainer is not None and not s.run_active and not s.step_active and s.phase != "preparing":
                self.c.activate(s)
                self.c.play_pause()
        self.c.activate(shown)
        if self.rss_start is not None:
            self.rss_max = max(self.rss_max or 0.0, _rss_mb())
        if now >= self._next_progress:
            self._next_progress = now + PROGRESS_SECONDS
            print(json.dumps({"progress": self.result(final=False)}), flush=True)
        if now - self.t0 >= self.seconds:
            self.timer.stop()
            self.app.quit()

    def _rotate(self) -> None:
        self._rotation += 1
        sessions = self.c.sessions
        self.c.activate(sessions[self._rotation % len(sessions)])
        tabs = self.w.views.tabs
        tabs.setCurrentIndex(self._rotation % max(1, tabs.count()))
        self.w.pages.setCurrentWidget(self.w.draw)

    def _draw_point(self) -> None:
        """One more point of a synthetic stroke, sent as real mouse events to the canvas."""
        from playground.gui._qt import QtCore, QtGui, QtWidgets

        pad = self.w.draw.pad
        side = pad.side()
        origin = QtCore.QPointF((pad.width() - side) / 2, (pad.height() - side) / 2)
        if not self._stroke:
            if self._strokes_drawn >= 3:        # a digit has three strokes at most: start a new one
                pad.clear()
                self._strokes_drawn = 0
            k = self._rotation * 7 + self._strokes_drawn
            cx, cy, r = 0.5 + 0.15 * math.sin(k), 0.5 + 0.15 * math.cos(1.3 * k), 0.15 + 0.1 * ((k % 3) / 2)
            self._stroke = [(cx + r * math.cos(t / 3 + k), cy + r * math.sin(t / 2 + k)) for t in range(12)]
            kind = QtCore.QEvent.MouseButtonPress
        else:
            kind = QtCore.QEvent.MouseMove
        x, y = self._stroke.pop(0)
        pos = origin + QtCore.QPointF(x * side, y * side)
        buttons = QtCore.Qt.LeftButton
        ev = QtGui.QMouseEvent(kind, pos, pad.mapToGlobal(pos), QtCore.Qt.LeftButton, buttons, QtCore.Qt.NoModifier)
        QtWidgets.QApplication.sendEvent(pad, ev)
        self.draw_points += 1
        if not self._stroke:
            ev = QtGui.QMouseEvent(QtCore.QEvent.MouseButtonRelease, pos, pad.mapToGlobal(pos), QtCore.Qt.LeftButton,
                                   QtCore.Qt.NoButton, QtCore.Qt.NoModifier)
            QtWidgets.QApplication.sendEvent(pad, ev)
            self._strokes_drawn += 1

    def _harvest_gaps(self) -> None:
        """The meter's gaps since the last tick, into the preallocated array (no growth)."""
        meter = self.c.gaps.gaps_ms
        while meter:
            g = meter.popleft()
            if self._warm and self._n_gaps < len(self.gaps):
                self.gaps[self._n_gaps] = g
                self._n_gaps += 1

    # ------------------------------------------------------------------ report
    def result(self, final: bool = True) -> dict:
        import numpy as np

        elapsed = time.monotonic() - self.t0
        after = max(1e-9, elapsed - self.warmup)
        gaps = self.gaps[:self._n_gaps] if self.gaps is not None else np.zeros(0)
        rss_now = _rss_mb()
        if final:
            self.rss_end = rss_now
        start = self.rss_start if self.rss_start is not None else rss_now
        snaps = self.c.snapshots_drawn - self.snap0 if self._warm else 0
        runs = [{"steps": int(s.trainer.step) if s.trainer is not None else 0,
                 "samples_seen": int(s.trainer.samples_seen) if s.trainer is not None else 0,
                 "phase": s.phase} for s in self.c.sessions]
        return {"crashes": self.crashes, "rss_start_mb": round(start, 1), "rss_end_mb": round(rss_now, 1),
                "rss_growth_mb": round(rss_now - start, 1), "rss_max_mb": round(max(self.rss_max or 0.0, rss_now), 1),
                "max_ui_gap_ms": round(float(gaps.max()), 1) if len(gaps) else None,
                "p99_ui_gap_ms": round(float(np.percentile(gaps, 99)), 1) if len(gaps) else None,
                "snapshots": int(snaps), "snapshots_per_s": round(snaps / after, 1) if self._warm else None,
                "minutes": round(elapsed / 60, 2), "warmup_s": round(self.warmup, 1),
                "lessons": self.lessons_opened, "max_runs": self.max_runs,
                "switches": self.switches, "slowest_switch_s": round(self.slowest_switch, 2),
                "slowest_rotate_s": round(self.slowest_rotate, 2), "runs": runs, "draw_points": self.draw_points,
                "errors": self.errors[:20]}


def child_main(args) -> int:
    """One soak in this process; prints progress lines and, last, {"result": {...}}."""
    seconds = float(args[0]) * 60.0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")      # QT_QPA_PLATFORM=xcb to watch it
    import tempfile
    import threading

    from playground.core import precompile
    precompile.start("float32")
    from playground.gui._qt import QtCore, QtWidgets
    from playground.gui.app import create_window, make_app

    from playground.core import runhistory
    from playground.gui import datadialog

    tmp = tempfile.TemporaryDirectory(prefix="nn-playground-soak-")
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.IniFormat)
    QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, tmp.name)
    os.environ[runhistory.ENV] = os.path.join(tmp.name, "history.json")     # the person's history untouched
    # A modal dialog would stop the soak: each is answered "no" and counted.
    dialogs: list[str] = []
    box = QtWidgets.QMessageBox
    for name in ("warning", "critical", "information", "question"):
        setattr(box, name, staticmethod(lambda *a, _n=name, **k: dialogs.append(f"{_n}: {a[1] if len(a) > 1 else ''}")
                                        or box.No))
    datadialog.MissingDataDialog.exec = lambda self: dialogs.append(f"missing data: {self.windowTitle()}") or 0
    app = make_app(["nn-playground"])
    window, controller = create_window(restore_settings=False, ask=lambda *_: True)
    window.resize(1280, 800)
    window.show()
    soak = Soak(app, window, controller, seconds)
    sys.excepthook = lambda t, e, tb: soak.on_exception("GUI thread", e)
    threading.excepthook = lambda a: soak.on_exception(f"thread {a.thread.name if a.thread else '?'}", a.exc_value)
    soak.start()
    app.exec()
    result = soak.result()
    result["dialogs"] = dialogs[:20]
    window.close()
    controller.shutdown()
    tmp.cleanup()
    print(json.dumps({"result": result}), flush=True)
    return 0


def run_soak(minutes: float, progress=None) -> dict:
    """The soak in a child process; a child that dies is a crash, reported with its last figures."""
    from playground.children import command

    import tempfile

    # Its stderr goes to a file: a pipe nobody read until the end filled up with Qt's warnings
    # (64 KB) and stopped the soak's GUI thread in write() for good.
    errors = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(command("soak", repr(float(minutes))), stdout=subprocess.PIPE, stderr=errors,
                            stdin=subprocess.DEVNULL, text=True)
    last, result = None, None
    try:
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if "progress" in msg:
                last = msg["progress"]
                if progress is not None:
                    progress(last)
            elif "result" in msg:
                result = msg["result"]
    finally:
        if proc.poll() is None and result is None:     # interrupted (Ctrl+C, a test's timeout): no orphan
            proc.kill()
    code = proc.wait()
    errors.seek(0)
    stderr = errors.read()[-4000:]
    errors.close()
    if result is None or code != 0:
        result = dict(last or {"crashes": 0, "rss_start_mb": None, "rss_end_mb": None, "rss_growth_mb": None,
                               "max_ui_gap_ms": None, "p99_ui_gap_ms": None, "snapshots": 0, "errors": []})
        result["crashes"] = result.get("crashes", 0) + 1
        result["errors"] = [*result.get("errors", []),
                            f"the soak process ended with code {code}: {stderr.strip()[-500:]}"]
    return result


def format_soak(r: dict) -> str:
    runs = ", ".join(f"{x['steps']:,}" for x in r.get("runs", []))
    lessons = ", ".join(r.get("lessons", [])) or "none"
    lines = [f"soak: {r.get('minutes')} min, {r.get('switches')} switches (lessons: {lessons}), up to "
             f"{r.get('max_runs')} runs training at once; at the end {len(r.get('runs', []))} (steps: {runs})",
             f"crashes            {r['crashes']}",
             f"resident memory    {r['rss_start_mb']} MB after the warm-up ({r.get('warmup_s')} s) -> "
             f"{r['rss_end_mb']} MB at the end: growth {r['rss_growth_mb']} MB (max {r.get('rss_max_mb')} MB)",
             f"frame gaps         max {r['max_ui_gap_ms']} ms, p99 {r['p99_ui_gap_ms']} ms",
             f"snapshots drawn    {r['snapshots']} ({r.get('snapshots_per_s')}/s); drawing points fed: "
             f"{r.get('draw_points')}"]
    for e in r.get("errors", []):
        lines.append(f"error: {e}")
    for d in r.get("dialogs", []):
        lines.append(f"dialog: {d}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
