"""`nn-playground bench --draw`: the time of one Draw-panel update while drawing, i.e. what runs
for every throttled refresh: MNIST-style preprocessing of the canvas, the forward pass, the
evidence maps for the top two classes and the hidden activations (painting is not included).

The canvas is a digit drawn with PIL on a 490x490 canvas, the Draw page's size in a 1280x800
window; the networks are 784-100-10 (the issue's yardstick) and the shipped digit model.
"""
from __future__ import annotations

import json
import statistics
import time

import numpy as np

CANVAS = 490
STROKE = [(0.15, 0.1), (0.85, 0.1), (0.45, 0.95)]      # a 7


def canvas(side: int = CANVAS) -> np.ndarray:
    from PIL import Image, ImageDraw
    im = Image.new("L", (side, side), 0)
    ImageDraw.Draw(im).line([(x * side, y * side) for x, y in STROKE], fill=255, width=side // 15, joint="curve")
    return np.asarray(im, np.float32) / 255


def time_updates(reader, ink, n: int) -> list[float]:
    from ..core.drawing import read
    read(reader, ink)                           # warm-up: first calls allocate workspaces
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        read(reader, ink)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def run_draw_bench(n: int = 300) -> dict:
    from ..core.drawing import Reader, shipped_reader
    from ..core.network import Network
    from ..core.spec import NetworkSpec
    from ..core.transform import InputTransform

    ink = canvas()
    small = Reader(Network(NetworkSpec.make("784,100,10", "relu", output_activation="softmax",
                                            cost="log_likelihood"), seed=1), InputTransform())
    out = {"canvas": f"{CANVAS}x{CANVAS}", "updates": n, "networks": {}}
    for name, reader in (("784-100-10", small), ("shipped 784-256-128-10", shipped_reader())):
        t = sorted(time_updates(reader, ink, n))
        out["networks"][name] = {"median_ms": statistics.median(t), "p90_ms": t[int(0.9 * (len(t) - 1))],
                                 "max_ms": t[-1]}
    return out


def run(args) -> int:
    result = run_draw_bench(max(10, int(args.draw)))
    if args.json:
        print(json.dumps(result), flush=True)
        return 0
    print(f"Draw-panel update (preprocess + forward + evidence for two classes + hidden activations), "
          f"{result['canvas']} canvas, {result['updates']} updates:")
    for name, r in result["networks"].items():
        print(f"  {name:24s} median {r['median_ms']:.2f} ms   p90 {r['p90_ms']:.2f} ms   max {r['max_ms']:.2f} ms")
    return 0
