"""``nn-playground bench --ui N``: how responsive the window stays while training at full speed.

Runs ``nn-playground selftest`` N times, each in a fresh process as a user would start it (the
window, the default spirals network, full speed, a 10 ms timer measuring the gaps between its
ticks), and reports each run and the medians. One run is a noisy sample on a shared machine:
quote the median.

With ``--twins K`` each run is a comparison instead (playground/gui/compare/selftest.py): K twin
runs of the default network at full speed, the Compare page on show.
"""
from __future__ import annotations

import json
import statistics
import subprocess

TARGET_MS = 50.0


def run_once(seconds: float, timeout: float = 300.0, twins: int = 0) -> dict:
    from playground.children import app_command, command
    cmd = app_command("selftest", "--json", "--seconds", str(seconds))
    if twins:
        cmd = command("compare-selftest", "--seconds", str(seconds), "--twins", str(twins))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"ok": False, "error": (out.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def run_ui_bench(runs: int, seconds: float = 4.0, twins: int = 0) -> dict:
    results = [run_once(seconds, twins=twins) for _ in range(runs)]
    good = [r for r in results if r.get("ok")]

    def median(key):
        vals = [r[key] for r in good if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    return {"runs": results, "ok": len(good) == len(results) and bool(good),
            "median_max_ui_gap_ms": median("max_ui_gap_ms"), "median_p99_ui_gap_ms": median("p99_ui_gap_ms"),
            "median_samples_per_second": median("samples_per_second"), "target_ms": TARGET_MS,
            "twins": twins}


def format_report(result: dict) -> str:
    twins = result.get("twins")
    what = (f"{twins} twin runs of the default spirals network on the Compare page" if twins else
            "nn-playground selftest: default spirals network")
    lines = [f"UI frame gaps while training at full speed ({what},",
             "a 10 ms timer; largest and 99th-percentile gap between its ticks)", "",
             f"{'run':>3}  {'max gap ms':>10}  {'p99 gap ms':>10}  {'samples/s' if not twins else 'samples':>10}  note"]
    for i, r in enumerate(result["runs"], 1):
        if not r.get("ok"):
            lines.append(f"{i:>3}  {'-':>10}  {'-':>10}  {'-':>10}  failed: {r.get('error')}")
            continue
        rate = min(r["samples_per_twin"]) if twins else r["samples_per_second"]
        lines.append(f"{i:>3}  {r['max_ui_gap_ms']:>10.1f}  {r.get('p99_ui_gap_ms') or 0:>10.1f}  {rate:>10,.0f}"
                     + ("  (slowest twin, samples seen)" if twins else ""))
    m = result["median_max_ui_gap_ms"]
    if m is not None:
        verdict = "met" if m < result["target_ms"] else "NOT met"
        lines += ["", f"median of the largest gaps: {m:.1f} ms (target < {result['target_ms']:.0f} ms: {verdict}); "
                      f"median p99: {result['median_p99_ui_gap_ms']:.1f} ms"]
    return "\n".join(lines)


def run(args) -> int:
    result = run_ui_bench(args.ui, seconds=args.ui_seconds, twins=getattr(args, "twins", 0) or 0)
    print(json.dumps(result) if args.json else format_report(result), flush=True)
    return 0 if result["ok"] else 1
