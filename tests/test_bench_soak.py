"""`nn-playground bench --soak`: a few seconds of the real soak (three runs, switches, the Draw
tab fed strokes) and its report; a soak process that dies is counted as a crash."""
import json
import sys

import pytest

from playground.cli import main

pytestmark = pytest.mark.timeout(240)

KEYS = ("crashes", "rss_start_mb", "rss_end_mb", "rss_growth_mb", "max_ui_gap_ms", "p99_ui_gap_ms", "snapshots")


def test_a_short_soak_trains_three_runs_switches_and_draws(capsys, monkeypatch, shared_mnist_dir):
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", "/nonexistent-nn-playground-cache")   # never a download
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(shared_mnist_dir))                  # MNIST lessons run too
    code = main(["bench", "--soak", "0.15", "--json"])
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0, r
    assert all(k in r for k in KEYS), r
    assert r["crashes"] == 0 and not r["errors"], r
    assert r["max_runs"] == 3 and all(run["steps"] > 0 for run in r["runs"]), r["runs"]
    assert r["switches"] >= 3                  # three twins, a lesson, three twins again
    assert r["lessons"] and not r["dialogs"], r
    assert r["draw_points"] > 0                 # the Draw tab got mouse strokes
    assert r["snapshots"] > 0 and r["max_ui_gap_ms"] >= r["p99_ui_gap_ms"] > 0
    assert 50 < r["rss_start_mb"] < 4096 and r["rss_growth_mb"] == pytest.approx(r["rss_end_mb"] - r["rss_start_mb"], abs=0.11)


def test_a_soak_process_that_dies_is_a_crash_with_the_figures_so_far(monkeypatch, capsys):
    from playground import children
    progress = {"crashes": 0, "rss_start_mb": 200.0, "rss_end_mb": 230.0, "rss_growth_mb": 30.0,
                "max_ui_gap_ms": 40.0, "p99_ui_gap_ms": 20.0, "snapshots": 99, "errors": []}
    script = f"import json, os; print(json.dumps({{'progress': {progress!r}}}), flush=True); os.abort()"
    monkeypatch.setattr(children, "command", lambda name, *a: [sys.executable, "-c", script])
    assert main(["bench", "--soak", "1", "--json"]) == 1
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["crashes"] == 1 and r["snapshots"] == 99 and r["rss_end_mb"] == 230.0
    assert "ended with code" in r["errors"][-1]
