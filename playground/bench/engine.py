"""`nn-playground bench`: the engine against a vectorised numpy trainer and PyTorch.

All three train the same network, from the same initial parameters (copied from the
engine), on the same synthetic MNIST-shaped data in the same mini-batch order, with plain
SGD in float32. Before timing, a few mini-batches are trained by each and the resulting
parameters compared, so the numbers compare real, equivalent training.

Timing: each implementation trains the same number of samples per repeat (sized so the
slowest takes about --seconds); the first (warm-up) run, including Numba's JIT, is not
timed; the implementations take turns, and the median of --repeats runs is reported. The machine's float32 GEMM rate gives an
upper bound on samples/s (6 flops per weight per sample: forward, delta, gradient).

Module level imports only numpy, so building the CLI parser stays cheap.
"""
from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np

N_DATA = 10240            # divisible by every case's batch size, so every batch is full
N_FEATURES, N_CLASSES = 784, 10
AGREE_BATCHES = 5
AGREE_RTOL = 1e-3         # float32: summation order differs between implementations
GEMM_N = 2048


@dataclass(frozen=True)
class Case:
    name: str
    sizes: tuple[int, ...]
    hidden: str
    output: str
    cost: str
    batch: int
    eta: float

    @property
    def flops_per_sample(self) -> int:
        """Forward z = W a, backward delta = W^T d and gradient d a^T: 2 flops per weight each."""
        return 6 * sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def describe(self) -> str:
        return f"{','.join(map(str, self.sizes))} {self.hidden}/{self.output} batch {self.batch}"


CASES = {
    "A": Case("A", (784, 30, 10), "sigmoid", "sigmoid", "cross_entropy", 10, 0.5),
    "B": Case("B", (784, 100, 10), "relu", "softmax", "log_likelihood", 32, 0.1),
    "C": Case("C", (784, 30, 30, 30, 30, 10), "sigmoid", "sigmoid", "cross_entropy", 10, 0.5),
    "D": Case("D", (784, 512, 512, 10), "relu", "softmax", "log_likelihood", 128, 0.05),
}


def add_arguments(p) -> None:
    p.add_argument("--cases", default=",".join(CASES), help="comma list of A,B,C,D (all)")
    p.add_argument("--seconds", type=float, default=1.0,
                   help="target seconds per timed run of the slowest implementation (1.0)")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per implementation; the median counts (5)")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--ui", type=int, default=0, metavar="N",
                   help="instead: the window's frame gaps while training, over N selftest runs")
    p.add_argument("--startup", type=int, default=0, metavar="N",
                   help="instead: seconds from launch to the window and to the first training step, "
                        "N cold (empty numba cache) and N warm starts, each a fresh process")
    p.add_argument("--ui-seconds", type=float, default=4.0, help="seconds of training per --ui run (4)")
    p.add_argument("--twins", type=int, default=0, choices=range(0, 5), metavar="K",
                   help="with --ui: K twin runs training at once on the Compare page (1-4; 0: one run)")
    p.add_argument("--soak", type=float, default=0, metavar="MINUTES",
                   help="instead: MINUTES of three runs training in the offscreen window, settings switched "
                        "every few minutes, the Draw tab fed strokes; crashes, memory growth, frame gaps")
    p.add_argument("--draw", type=int, default=0, metavar="N",
                   help="instead: the median time of N Draw-panel updates (preprocess, forward, evidence)")


# ---------------------------------------------------------------------------- data
def synthetic_data(n: int = N_DATA, seed: int = 1):
    """Uniform pixels in [0, 1] and random one-hot labels: MNIST's shape without a download."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, N_FEATURES), dtype=np.float32)
    labels = rng.integers(0, N_CLASSES, n)
    y = np.zeros((n, N_CLASSES), np.float32)
    y[np.arange(n), labels] = 1.0
    return x, y


def make_order(n_samples: int, n_data: int, rng) -> np.ndarray:
    """Row order for n_samples: successive shuffles of the data, as epochs would be."""
    reps = -(-n_samples // n_data)
    return np.concatenate([rng.permutation(n_data) for _ in range(reps)])[:n_samples].astype(np.int64)


# ---------------------------------------------------------------------------- implementations
class EngineRunner:
    label = "engine"

    def __init__(self, case: Case, x, y, seed: int):
        from ..core.network import Network
        from ..core.spec import NetworkSpec, TrainConfig

        spec = NetworkSpec.make(case.sizes, case.hidden, output_activation=case.output, cost=case.cost,
                                dtype="float32")
        self.net = Network(spec, seed=seed)
        self.initial = self.net.copy_params()
        self.config = TrainConfig(eta=case.eta, batch_size=case.batch, optimizer="sgd", epochs=None)
        self.x, self.y, self.batch = x, y, case.batch

    def reset(self):
        self.net.set_params(self.initial)
        self.net.reset_optimizer_state()

    def train(self, order):
        # One call for the whole run: the "big chunk" the Trainer would split up for snapshots.
        self.net.train_chunk(self.x, self.y, order, 0, -(-len(order) // self.batch), self.config, len(self.x))

    def params(self):
        return self.net.copy_params()

    def layers(self):
        return [w.copy() for w in self.net.weights], [b.copy() for b in self.net.biases]


class MLPRunner:
    """A baseline trainer (NumpyMLP or TorchMLP) started afresh from the engine's initial layers."""

    def __init__(self, label: str, mlp_class, case: Case, x, y, weights, biases):
        self.label = label
        self.make = lambda: mlp_class(weights, biases, case.hidden, case.output, case.eta)
        self.mlp = self.make()
        self.x, self.y, self.batch = x, y, case.batch

    def reset(self):
        self.mlp = self.make()

    def train(self, order):
        with np.errstate(over="ignore", under="ignore"):   # exp overflow in numpy's sigmoid is harmless
            self.mlp.train(self.x, self.y, order, self.batch)

    def params(self):
        return self.mlp.params()


def torch_available() -> str | None:
    try:
        from .torch_mlp import version
    except ImportError:
        return None
    return version()


def torch_threads() -> int:
    from .torch_mlp import THREADS
    return THREADS


# ---------------------------------------------------------------------------- measuring
def gemm_peak_flops(n: int = GEMM_N, repeats: int = 7) -> float:
    """float32 matrix-product rate numpy's BLAS reaches on this machine.

    The best of `repeats`, not the median: this is a ceiling, and on a shared machine a
    median drags it down with other processes' load, making the "bound" beatable.
    """
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)                      # warm-up: thread pool, page faults
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - t0)
    return 2.0 * n**3 / min(times)


def _time_run(runner, order) -> float:
    runner.reset()
    t0 = time.perf_counter()
    runner.train(order)
    return time.perf_counter() - t0


def agreement(runners, order) -> dict:
    """Train AGREE_BATCHES mini-batches with each runner; compare each parameter update with the engine's."""
    engine = runners[0]
    engine.reset()
    p0 = engine.params().astype(np.float64)
    engine.train(order)
    ref = engine.params().astype(np.float64) - p0
    errors = {}
    for r in runners[1:]:
        r.reset()
        r.train(order)
        diff = r.params().astype(np.float64) - p0 - ref
        errors[r.label] = float(np.linalg.norm(diff) / max(np.linalg.norm(ref), 1e-30))
    return {"batches": AGREE_BATCHES, "relative_error": errors, "rtol": AGREE_RTOL,
            "agree": all(e <= AGREE_RTOL for e in errors.values())}


def bench_case(case: Case, x, y, *, seconds: float, repeats: int, use_torch: bool, seed: int) -> dict:
    """Agreement check, then timings; the GEMM bound is filled in by run_bench."""
    rng = np.random.default_rng(seed)
    engine = EngineRunner(case, x, y, seed)
    weights, biases = engine.layers()
    from .numpy_mlp import NumpyMLP
    runners = [engine, MLPRunner("numpy", NumpyMLP, case, x, y, weights, biases)]
    if use_torch:
        from .torch_mlp import TorchMLP
        runners.append(MLPRunner("torch", TorchMLP, case, x, y, weights, biases))

    agree = agreement(runners, make_order(AGREE_BATCHES * case.batch, len(x), rng))

    # Warm-up (JIT, thread pools, caches), then a probe run to size the timed runs.
    probe = make_order(max(20 * case.batch, 1000), len(x), rng)
    rates = {}
    for r in runners:
        _time_run(r, probe)
        rates[r.label] = len(probe) / max(_time_run(r, probe), 1e-9)
    n_samples = int(min(rates.values()) * seconds)
    n_samples = max(case.batch * 10, n_samples // case.batch * case.batch)
    order = make_order(n_samples, len(x), rng)

    # Round robin, so a burst of load from another process slows every implementation alike.
    times = {r.label: [] for r in runners}
    for _ in range(repeats):
        for r in runners:
            times[r.label].append(_time_run(r, order))
    sps = {label: n_samples / statistics.median(t) for label, t in times.items()}

    result = {
        "case": case.name,
        "network": case.describe(),
        "sizes": list(case.sizes),
        "hidden": case.hidden, "output": case.output, "cost": case.cost,
        "batch": case.batch, "eta": case.eta,
        "samples_per_run": n_samples,
        "repeats": repeats,
        "samples_per_second": sps,
        "engine_over_numpy": sps["engine"] / sps["numpy"],
        "engine_over_torch": sps["engine"] / sps["torch"] if "torch" in sps else None,
        "flops_per_sample": case.flops_per_sample,
        "bound_samples_per_second": None,
        "engine_fraction_of_bound": None,
        "agreement": agree,
    }
    return result


def run_bench(case_names, *, seconds=1.0, repeats=5, use_torch=True, seed=1) -> dict:
    import numba

    from ..core.errors import SpecError
    from ..core.spec import check_seed

    seed = check_seed(seed)
    names = [c.strip().upper() for c in case_names if c.strip()]
    unknown = [c for c in names if c not in CASES]
    if unknown or not names:
        raise SpecError(f"Unknown benchmark case(s) {', '.join(unknown) or '(none)'}: choose from "
                        f"{', '.join(CASES)}.")
    if not seconds > 0 or repeats < 1:
        raise SpecError("--seconds must be positive and --repeats at least 1.")
    torch_version = torch_available() if use_torch else None
    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    x, y = synthetic_data(N_DATA, seed)
    peak = gemm_peak_flops()
    cases = [bench_case(CASES[n], x, y, seconds=seconds, repeats=repeats, use_torch=torch_version is not None,
                        seed=seed) for n in names]
    peak = max(peak, gemm_peak_flops())          # once more at the end: the better of the two
    for case in cases:
        bound = peak / case["flops_per_sample"]
        case["bound_samples_per_second"] = bound
        case["engine_fraction_of_bound"] = case["samples_per_second"]["engine"] / bound
    return {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "numba": numba.__version__,
            "torch": torch_version,
            "torch_threads": torch_threads() if torch_version else None,
            "gemm_float32_gflops": peak / 1e9,
            # Other processes on the same cores make every column slower, threaded torch the most.
            "load_average_at_start": load_at_start,
        },
        "data": {"samples": N_DATA, "features": N_FEATURES, "classes": N_CLASSES, "kind": "uniform random, seeded"},
        "cases": cases,
        "agree": all(c["agreement"]["agree"] for c in cases),
    }


def _fmt(v, spec=",.0f") -> str:
    return "-" if v is None else format(v, spec)


def format_table(result: dict) -> str:
    m = result["machine"]
    lines = [
        f"float32 GEMM peak ({GEMM_N}x{GEMM_N}, numpy): {m['gemm_float32_gflops']:.1f} GFLOP/s on {m['cpus']} CPU(s); "
        f"numpy {m['numpy']}, numba {m['numba']}, torch {m['torch'] or 'not installed'}",
        "samples/s (median); bound = GEMM peak / (6 * weights) flop per sample",
        "",
        "| case | network | engine | numpy | torch | engine/numpy | engine/torch | bound | engine/bound | agree |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in result["cases"]:
        s = c["samples_per_second"]
        errs = c["agreement"]["relative_error"]
        agree = ("yes" if c["agreement"]["agree"] else "NO") + " (" + ", ".join(
            f"{k} {v:.0e}" for k, v in errs.items()) + ")"
        lines.append(
            f"| {c['case']} | {c['network']} | {_fmt(s['engine'])} | {_fmt(s['numpy'])} | {_fmt(s.get('torch'))} | "
            f"{_fmt(c['engine_over_numpy'], '.2f')}x | {_fmt(c['engine_over_torch'], '.2f')}"
            f"{'x' if c['engine_over_torch'] is not None else ''} | {_fmt(c['bound_samples_per_second'])} | "
            f"{100 * c['engine_fraction_of_bound']:.1f}% | {agree} |")
    load = m.get("load_average_at_start")
    if load is not None and load > 0.5:
        lines.append("")
        lines.append(f"Note: load average was {load:.2f} at the start; other processes share the CPUs, so "
                     f"these numbers are pessimistic.")
    if not result["agree"]:
        lines.append("")
        lines.append("WARNING: the implementations disagree after the first mini-batches; the timings do not "
                     "compare equivalent training.")
    return "\n".join(lines)


def run(args) -> int:
    """CLI entry: `nn-playground bench`."""
    if getattr(args, "draw", 0):
        from .draw import run as run_draw
        return run_draw(args)
    result = run_bench(args.cases.split(","), seconds=args.seconds, repeats=args.repeats,
                       use_torch=not args.no_torch, seed=args.seed)
    if args.json:
        print(json.dumps(result), flush=True)
    else:
        print(format_table(result), flush=True)
    return 0 if result["agree"] else 1


if __name__ == "__main__":
    from ..cli import main
    sys.exit(main(["bench", *sys.argv[1:]]))
