"""`nn-playground bench --draw`: reports per-network update times for the real Draw-panel work
(no speed is asserted: tests never time things)."""
import json

from playground.bench import draw as bench_draw
from playground.cli import main
from playground.core.drawing import preprocess


def test_the_benchmark_canvas_is_a_readable_digit():
    ink = bench_draw.canvas()
    assert ink.shape == (bench_draw.CANVAS, bench_draw.CANVAS)
    assert preprocess(ink).pixels is not None


def test_bench_draw_json_reports_both_networks(capsys):
    assert main(["bench", "--draw", "10", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["updates"] == 10 and set(result["networks"]) == {"784-100-10", "shipped 784-256-128-10"}
    for r in result["networks"].values():
        assert 0 < r["median_ms"] <= r["p90_ms"] <= r["max_ms"]
