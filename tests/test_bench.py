"""The benchmark compares equivalent training: same start, same data, same order, same SGD.

Nothing here measures speed (tests never time things); it checks that the three
implementations agree and that the report has what the README table is made from.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.bench import engine as bench
from playground.bench.numpy_mlp import NumpyMLP

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def test_numpy_baseline_matches_engine_updates():
    x, y = bench.synthetic_data(320, seed=3)
    for name in ("A", "B"):
        case = bench.CASES[name]
        engine = bench.EngineRunner(case, x, y, seed=2)
        weights, biases = engine.layers()
        runners = [engine, bench.MLPRunner("numpy", NumpyMLP, case, x, y, weights, biases)]
        order = bench.make_order(4 * case.batch, len(x), np.random.default_rng(0))
        result = bench.agreement(runners, order)
        assert result["agree"], result
        assert result["relative_error"]["numpy"] < 1e-4


def test_flops_per_sample_counts_three_products_per_weight():
    assert bench.CASES["A"].flops_per_sample == 6 * (784 * 30 + 30 * 10)


def test_unknown_case_is_a_clear_error():
    out = subprocess.run([sys.executable, "-m", "playground", "bench", "--cases", "Z"],
                         capture_output=True, text=True, timeout=120, cwd=REPO, env=ENV)
    assert out.returncode == 2
    assert "Unknown benchmark case" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.timeout(900)
def test_bench_cli_json_reports_agreeing_implementations():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "bench", "--cases", "A", "--seconds", "0.02", "--repeats", "1",
         "--json"],
        capture_output=True, text=True, timeout=840, cwd=REPO, env=ENV,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["agree"] is True
    assert {"gemm_float32_gflops", "numpy", "numba", "torch"} <= set(result["machine"])
    (case,) = result["cases"]
    assert case["case"] == "A"
    sps = case["samples_per_second"]
    assert {"engine", "numpy"} <= set(sps)
    assert all(v > 0 for v in sps.values())
    for key in ("engine_over_numpy", "engine_over_torch", "bound_samples_per_second",
                "engine_fraction_of_bound", "flops_per_sample", "samples_per_run"):
        assert key in case
    assert case["agreement"]["agree"] is True
    if result["machine"]["torch"] is not None:
        assert "torch" in sps and case["engine_over_torch"] > 0
        assert case["agreement"]["relative_error"]["torch"] < bench.AGREE_RTOL


def test_torch_matches_engine_when_installed():
    pytest.importorskip("torch")
    from playground.bench.torch_mlp import TorchMLP
    x, y = bench.synthetic_data(256, seed=4)
    case = bench.CASES["B"]
    engine = bench.EngineRunner(case, x, y, seed=5)
    weights, biases = engine.layers()
    runners = [engine, bench.MLPRunner("torch", TorchMLP, case, x, y, weights, biases)]
    result = bench.agreement(runners, bench.make_order(3 * case.batch, len(x), np.random.default_rng(1)))
    assert result["agree"], result


@pytest.mark.timeout(300)
def test_ui_bench_reports_frame_gaps_of_real_selftest_runs():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "bench", "--ui", "1", "--ui-seconds", "1", "--json"],
        capture_output=True, text=True, timeout=280, cwd=REPO, env={**ENV, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    (run,) = result["runs"]
    assert run["ok"] is True and run["steps"] > 0 and run["snapshots_drawn"] > 0
    # Gaps of a 10 ms timer: never below its interval; the median is this one run's figure.
    assert 9.0 <= run["p99_ui_gap_ms"] <= run["max_ui_gap_ms"]
    assert result["median_max_ui_gap_ms"] == run["max_ui_gap_ms"]


def test_ui_bench_refuses_a_count_below_one():
    out = subprocess.run([sys.executable, "-m", "playground", "bench", "--ui", "-1"],
                         capture_output=True, text=True, timeout=120, cwd=REPO, env=ENV)
    assert out.returncode == 2 and "--ui" in out.stderr and "Traceback" not in out.stderr


def test_startup_bench_times_a_real_start_to_the_window_and_first_step(monkeypatch):
    from playground.bench import startup as bench_startup

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("PYTHONPATH", ENV["PYTHONPATH"])
    run = bench_startup._one(None)        # this checkout's (warm) numba cache: a start of a second or two
    assert run["ok"] is True and 0 < run["window"] < run["first_step"] <= run["compiled"]
    text = bench_startup.format_startup({k: {"window": {"median": 1.0}, "first_step": {"median": 2.5},
                                             "compiled": {"median": 2.5}} for k in ("cold", "warm")})
    assert "| cold | 1.00 | 2.50 | 2.50 |" in text and "| warm | 1.00 | 2.50 | 2.50 |" in text


def test_startup_bench_refuses_a_count_below_one():
    out = subprocess.run([sys.executable, "-m", "playground", "bench", "--startup", "-1"],
                         capture_output=True, text=True, timeout=120, cwd=REPO, env=ENV)
    assert out.returncode == 2 and "--startup" in out.stderr and "Traceback" not in out.stderr
