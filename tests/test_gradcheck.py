"""Central differences: the arbiter when the engine and the reference disagree.

The reference's analytic gradient is checked against its own numerical gradient (so the
reference is trusted for a reason), and the engine's gradient against numerical
differences of the engine's own loss, perturbing the parameters through the engine's
views (so the flat-buffer layout is exercised too).
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reference import (GRID_SIZES, ReferenceNet, away_from_kinks, combination_grid, numerical_gradient,
                       numerical_gradient_net, output_cost_grid, rel_err)

from playground.core.spec import HIDDEN_ACTIVATIONS, NetworkSpec

NUM_TOL = 1e-7   # float64 central difference with h = 1e-5: truncation ~h^2, rounding ~eps/h
SIZES = GRID_SIZES
ACCEPTED, _ = output_cost_grid()
GRID = combination_grid()


def random_reference(sizes, acts, out, cost, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0, 1, n_out) for n_out in sizes[1:]]
    return ReferenceNet(sizes, acts, out, cost, weights, biases)


@pytest.mark.parametrize("sizes,acts,out,cost", GRID)
def test_reference_gradient_matches_its_numerical_gradient(sizes, acts, out, cost):
    ref = random_reference(sizes, acts, out, cost)
    x, y = away_from_kinks(ref, sizes, out, 7, seed=1)
    err = rel_err(ref.gradient(x, y), numerical_gradient_net(ref, x, y))
    assert err < NUM_TOL, f"reference analytic vs numerical rel err {err:.3e}"


def test_reference_regularised_loss_matches_step_direction():
    # The regularisation terms in loss() and in step() describe the same function.
    ref = random_reference(SIZES, ("tanh", "tanh"), "sigmoid", "cross_entropy")
    x, y = away_from_kinks(ref, SIZES, "sigmoid", 7, seed=2)
    l2, l1, n = 0.7, 0.2, 50
    num = np.concatenate([
        numerical_gradient(lambda: ref.loss(x, y, l2=l2, l1=l1, n_total=n), p).ravel()
        for p in ref._param_list()
    ])
    before = ref.params
    ref.step("sgd", x, y, eta=1.0, n_train=n, l2=l2, l1=l1)
    assert rel_err(before - ref.params, num) < NUM_TOL


def test_numerical_gradient_restores_its_input():
    w = np.arange(6.0).reshape(2, 3)
    keep = w.copy()
    g = numerical_gradient(lambda: float(np.sum(w ** 3)), w)
    np.testing.assert_array_equal(w, keep)
    assert rel_err(g, 3 * keep ** 2) < 1e-8


# ---------------------------------------------------------------------------- the engine
def engine_numerical_gradient(net, x, y, h=1e-5):
    parts = []
    for W, b in zip(net.weights, net.biases):
        parts.append(numerical_gradient(lambda: net.loss(x, y), W, h).ravel())
        parts.append(numerical_gradient(lambda: net.loss(x, y), b, h).ravel())
    return np.concatenate(parts)


@pytest.mark.parametrize("path", ["loops", "blas"])
@pytest.mark.parametrize("sizes,acts,out,cost", GRID)
def test_engine_gradient_matches_numerical(sizes, acts, out, cost, path):
    from playground.core import network
    spec = NetworkSpec.make(sizes, acts, output_activation=out, cost=cost, dtype="float64")
    net = network.Network(spec, seed=4)
    net.blas_min = {"loops": 1 << 62, "blas": 0}[path]  # the engine's two kernel code paths
    ref = ReferenceNet(sizes, acts, out, cost, net.weights, net.biases)
    x, y = away_from_kinks(ref, sizes, out, 7, seed=3)
    before = net.copy_params()
    num = engine_numerical_gradient(net, x, y)
    np.testing.assert_array_equal(net.params, before)
    err = rel_err(net.gradient(x, y), num)
    assert err < NUM_TOL, f"engine analytic vs numerical rel err {err:.3e}"


# ---------------------------------------------------------------------------- playground.core.gradcheck
def test_core_numerical_gradient_agrees_with_reference_numerical_gradient():
    from playground.core import gradcheck
    from playground.core.network import Network

    sizes, acts = (6, 5, 4, 3), ("softplus", "tanh")
    net = Network(NetworkSpec.make(sizes, acts, output_activation="softmax", cost="cross_entropy",
                                   dtype="float64"), seed=2)
    ref = ReferenceNet(sizes, acts, "softmax", "cross_entropy", net.weights, net.biases)
    x, y = away_from_kinks(ref, sizes, "softmax", 7, seed=4)
    assert rel_err(gradcheck.numerical_gradient(net, x, y), numerical_gradient_net(ref, x, y)) < NUM_TOL


@pytest.mark.parametrize("sizes,acts,out,cost", GRID[::7])
def test_core_gradcheck_passes_a_correct_gradient(sizes, acts, out, cost):
    from playground.core import gradcheck
    from playground.core.network import Network

    net = Network(NetworkSpec.make(sizes, acts, output_activation=out, cost=cost, dtype="float64"), seed=4)
    ref = ReferenceNet(sizes, acts, out, cost, net.weights, net.biases)
    x, y = away_from_kinks(ref, sizes, out, 7, seed=5, margin=1e-2)
    layers = gradcheck.gradcheck(net, x, y)
    assert [l for l, _, _ in layers] == list(range(len(sizes) - 1))
    assert max(max(w, b) for _, w, b in layers) < 1e-6, layers


def test_core_gradcheck_catches_a_wrong_gradient(monkeypatch):
    from playground.core import gradcheck
    from playground.core.network import Network

    net = Network(NetworkSpec.make((4, 3, 2), "tanh", output_activation="sigmoid", cost="quadratic",
                                   dtype="float64"), seed=1)
    x, y = np.random.default_rng(0).normal(size=(5, 4)), np.full((5, 2), 0.3)
    right = net.gradient(x, y)
    wrong = right.copy()
    wrong[int(net.w_off[1])] *= 1.5  # one weight of the last layer, as a missed factor would
    monkeypatch.setattr(net, "gradient", lambda *_: wrong)
    layers = gradcheck.gradcheck(net, x, y)
    assert layers[0][1] < 1e-6 and layers[1][1] > 0.1, layers


def test_core_gradcheck_grid_covers_every_accepted_combination():
    from playground.core import gradcheck

    results = gradcheck.gradcheck_grid()
    combos = {(r.hidden, r.output, r.cost) for r in results}
    assert combos == {(h, o, c) for h in HIDDEN_ACTIVATIONS for o, c in ACCEPTED}
    assert {r.path for r in results} == {"loops", "blas"}
    worst = max(results, key=lambda r: r.worst)
    assert worst.worst < 1e-6, str(worst)


# ---------------------------------------------------------------------------- CLI
REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "playground", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)



def test_cli_gradcheck_single_combination():
    proc = run_cli("gradcheck", "--layers", "4,5,3", "--activation", "relu", "--output", "softmax",
                   "--cost", "log-likelihood", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["worst"] < 1e-6
    combos = [(c["hidden"], c["output"], c["cost"]) for c in report["checks"]]
    assert combos == [("relu", "softmax", "log_likelihood")]


@pytest.mark.timeout(900)     # a fresh clone compiles the float64 kernels first
def test_cli_gradcheck_all_combinations():
    proc = run_cli("gradcheck", "--json", timeout=840)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["worst"] <= 1e-6
    combos = {(c["hidden"], c["output"], c["cost"]) for c in report["checks"]}
    assert combos == {(h, o, c) for h in HIDDEN_ACTIVATIONS for o, c in ACCEPTED}
    assert {c["path"] for c in report["checks"]} == {"loops", "blas"}


def test_cli_gradcheck_fails_with_exit_1_when_tolerance_cannot_be_met():
    proc = run_cli("gradcheck", "--layers", "3,2", "--output", "sigmoid", "--tolerance", "1e-30")
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_cli_gradcheck_refuses_a_bad_combination_with_exit_2():
    proc = run_cli("gradcheck", "--layers", "3,2", "--output", "linear", "--cost", "cross-entropy")
    assert proc.returncode == 2
    assert "Cross-entropy" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("option", [("--eps", "0"), ("--eps", "nan"), ("--tolerance", "nan"), ("--seed", "-1")])
def test_cli_gradcheck_refuses_bad_numbers_with_exit_2(option):
    proc = run_cli("gradcheck", "--layers", "3,2", "--cost", "quadratic", *option)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("nn-playground: error:") and "Traceback" not in proc.stderr


def test_a_nan_error_is_a_failure_not_a_pass():
    from playground.core import gradcheck
    result = gradcheck.GradcheckResult("sigmoid", "sigmoid", "quadratic", "loops",
                                       [(0, 1e-9, float("nan")), (1, 1e-9, 1e-9)])
    assert math.isnan(result.worst) and not result.passes(1e-6)
