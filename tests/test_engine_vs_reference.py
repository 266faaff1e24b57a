"""The Numba engine against the slow numpy reference (tests/reference.py), float64.

The reference is handed the engine's initial parameters, then both compute the forward
pass, the loss, the gradient and optimiser steps on the same batch. Agreement is to
rounding (1e-10 relative): any real difference is a bug in one of the two, and
test_gradcheck.py says which, since both are checked against central differences there.
"""
from __future__ import annotations

import numpy as np
import pytest

from reference import (GRID_SIZES, ReferenceNet, away_from_kinks, combination_grid, min_abs_hidden_z,
                       output_cost_grid, rel_err)

from playground.core.errors import SpecError
from playground.core.network import Network
from playground.core.spec import NetworkSpec, TrainConfig

TOL = 1e-10
SIZES = GRID_SIZES
ACCEPTED, REFUSED = output_cost_grid()
GRID = combination_grid()
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
ETA = {"sgd": 0.3, "momentum": 0.2, "nesterov": 0.2, "adam": 0.01}
N_TRAIN = 50  # deliberately not the batch size: regularisation divides by the training-set size
# The kernels have two code paths per layer, hand-written loops and np.dot (BLAS), chosen by
# work size against net.blas_min (an engine attribute); test both on tiny nets.
PATHS = {"loops": 1 << 62, "blas": 0}
path_param = pytest.mark.parametrize("path", list(PATHS))


def build(sizes, acts, out, cost, seed=3, path=None):
    spec = NetworkSpec.make(sizes, acts, output_activation=out, cost=cost, dtype="float64")
    net = Network(spec, seed=seed)
    if path is not None:
        net.blas_min = PATHS[path]
    ref = ReferenceNet(sizes, acts, out, cost, net.weights, net.biases)
    return net, ref


def batch(net, ref, n, seed=11):
    sizes, out = ref.sizes, ref.output
    x, y = away_from_kinks(ref, sizes, out, n, seed)
    return np.ascontiguousarray(x, net.dtype), np.ascontiguousarray(y, net.dtype)


def config(optimizer, **kw):
    kw.setdefault("eta", ETA[optimizer])
    kw.setdefault("batch_size", 5)
    kw.setdefault("l2", 0.7)
    kw.setdefault("l1", 0.2)
    cfg = TrainConfig(optimizer=optimizer, **kw)
    cfg.validate()
    return cfg


def hyper(cfg):
    return dict(eta=cfg.eta, l2=cfg.l2, l1=cfg.l1, momentum=cfg.momentum,
                beta1=cfg.beta1, beta2=cfg.beta2, adam_eps=cfg.adam_eps)


def chunk(net, x, y, order, start, n_batches, cfg, n_train=N_TRAIN):
    return net.train_chunk(x, y, order, start, n_batches, cfg, n_train, net.rng_state)


# ---------------------------------------------------------------------------- the grid itself
def test_grid_is_what_the_spec_accepts():
    # log-likelihood needs softmax; cross-entropy cannot take a linear output.
    assert sorted(REFUSED) == sorted([("sigmoid", "log_likelihood"), ("linear", "cross_entropy"),
                                      ("linear", "log_likelihood")])
    assert len(ACCEPTED) == 6


@pytest.mark.parametrize("out,cost", REFUSED, ids=[f"{o}|{c}" for o, c in REFUSED])
def test_refused_combinations_raise(out, cost):
    with pytest.raises(SpecError):
        NetworkSpec.make(SIZES, "relu", output_activation=out, cost=cost, dtype="float64")
    with pytest.raises(SpecError):
        Network(NetworkSpec(SIZES, ("relu", "relu"), output_activation=out, cost=cost, dtype="float64"))


def test_params_layout_and_views():
    net, ref = build(SIZES, ("tanh", "tanh"), "softmax", "log_likelihood")
    spec = net.spec
    assert net.params.ndim == 1 and net.params.flags.c_contiguous
    assert net.params.size == spec.n_params and net.params.dtype == np.float64
    np.testing.assert_array_equal(net.params, ref.params)  # [W0, b0, W1, b1, ...] row-major
    for W, b, (n_out, n_in) in zip(net.weights, net.biases, spec.layer_shapes):
        assert W.shape == (n_out, n_in) and b.shape == (n_out,)
        assert np.shares_memory(W, net.params) and np.shares_memory(b, net.params)


# ---------------------------------------------------------------------------- forward / loss / gradient
@path_param
@pytest.mark.parametrize("sizes,acts,out,cost", GRID)
def test_forward_loss_gradient(sizes, acts, out, cost, path):
    net, ref = build(sizes, acts, out, cost, path=path)
    x, y = batch(net, ref, 9)
    assert rel_err(net.forward(x), ref.forward(x)) < TOL
    zs, acts_e = net.forward_all(x)
    zs_r, acts_r = ref.forward_all(x)
    assert len(zs) == len(zs_r)
    for z, zr in zip(zs, zs_r):
        assert rel_err(z, zr) < TOL
    for a, ar in zip(acts_e[-len(acts_r) + 1:], acts_r[1:]):
        assert rel_err(a, ar) < TOL
    assert net.loss(x, y) == pytest.approx(ref.loss(x, y), rel=TOL)
    g, gr = net.gradient(x, y), ref.gradient(x, y)
    assert g.shape == net.params.shape
    err = rel_err(g, gr)
    assert err < TOL, f"gradient rel err {err:.3e}"


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "elu"])
def test_derivative_convention_exactly_at_the_kink(act):
    # The engine's convention: relu' = 0 at z <= 0, leaky_relu' = 0.01 there; elu' = e^0 = 1 from both sides.
    net, ref = build(SIZES, (act, act), "sigmoid", "quadratic")
    x, y = batch(net, ref, 6)   # every other unit stays clear of its kink
    for target in (net, ref):
        target.weights[0][1] = 0.0   # unit 1 of the first hidden layer has z == 0 for every input
        target.biases[0][1] = 0.0
    assert np.all(net.forward_all(x)[0][0][:, 1] == 0.0)
    assert rel_err(net.gradient(x, y), ref.gradient(x, y)) < TOL


@path_param
@pytest.mark.parametrize("sizes,acts,out,cost", GRID[::4])
def test_float32_engine_is_close_to_reference(sizes, acts, out, cost, path):
    spec = NetworkSpec.make(sizes, acts, output_activation=out, cost=cost, dtype="float32")
    net = Network(spec, seed=3)
    net.blas_min = PATHS[path]
    assert net.params.dtype == np.float32
    ref = ReferenceNet(sizes, acts, out, cost, net.weights, net.biases)
    x, y = away_from_kinks(ref, sizes, out, 9, seed=11, margin=1e-2)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    assert net.forward(x32).dtype == np.float32
    assert rel_err(net.forward(x32), ref.forward(x32)) < 1e-5
    assert net.loss(x32, y32) == pytest.approx(ref.loss(x32, y32), rel=1e-5)
    assert rel_err(net.gradient(x32, y32), ref.gradient(x32, y32)) < 1e-4


@pytest.mark.parametrize("sizes,acts,out,cost", [p for p in GRID if p.values[2] == "softmax"
                                                 and p.values[3] == "log_likelihood"])
def test_reference_fused_softmax_agrees_with_jacobian_path(sizes, acts, out, cost):
    net, ref = build(sizes, acts, out, cost)
    fused = ReferenceNet(sizes, acts, out, cost, net.weights, net.biases, fused=True)
    x, y = batch(net, ref, 9)
    assert rel_err(fused.gradient(x, y), ref.gradient(x, y)) < 1e-12


def test_loss_with_regularisation():
    # Nielsen: C + 0.5*(lambda/n)*sum W^2 (+ (l1/n)*sum|W|); biases are not regularised.
    net, ref = build(SIZES, ("sigmoid", "sigmoid"), "sigmoid", "cross_entropy")
    x, y = batch(net, ref, 9)
    for l2, l1 in [(5.0, 0.0), (0.0, 2.0), (0.7, 0.2)]:
        got = net.loss(x, y, l2=l2, l1=l1, n_total=N_TRAIN)
        assert got == pytest.approx(ref.loss(x, y, l2=l2, l1=l1, n_total=N_TRAIN), rel=TOL), (l2, l1)


def test_cross_entropy_loss_is_finite_when_saturated():
    net, ref = build((2, 3, 1), ("sigmoid",), "sigmoid", "cross_entropy")
    net.biases[-1][:] = 60.0  # a == 1.0 exactly in float64
    x = np.zeros((2, 2))
    y = np.array([[1.0], [0.0]])
    loss = net.loss(x, y)
    assert np.isfinite(loss) and loss > 10  # clipped at 1e-12: -ln(1e-12)/2 ~ 13.8


# ---------------------------------------------------------------------------- optimiser steps
@path_param
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("sizes,acts,out,cost", GRID)
def test_one_step(sizes, acts, out, cost, optimizer, path):
    net, ref = build(sizes, acts, out, cost, path=path)
    x, y = batch(net, ref, 12)
    order = np.random.default_rng(5).permutation(len(x)).astype(np.int64)
    cfg = config(optimizer)
    before = net.copy_params()
    stats = chunk(net, x, y, order, 2, 1, cfg)
    rows = order[2:2 + cfg.batch_size]
    ref_loss = ref.step(optimizer, x[rows], y[rows], n_train=N_TRAIN, **hyper(cfg))
    delta, delta_ref = net.params - before, ref.params - before
    err = rel_err(delta, delta_ref)
    assert err < TOL, f"{optimizer} update rel err {err:.3e}"
    assert stats.n_batches == 1 and stats.n_samples == cfg.batch_size
    assert stats.finite
    assert stats.loss_sum == pytest.approx(ref_loss * cfg.batch_size, rel=TOL)


def _chunk_vs_reference(net, ref, x, y, order, start, n_batches, cfg):
    """Run both; skip if some later batch puts a hidden z within rounding of a kink."""
    stats = chunk(net, x, y, order, start, n_batches, cfg)
    loss_sum, n_samples, norms = ref.train_chunk(x, y, order, start, n_batches, batch_size=cfg.batch_size,
                                                 optimizer=cfg.optimizer, n_train=N_TRAIN, **hyper(cfg))
    if min_abs_hidden_z(ref, x) < 1e-9:
        pytest.skip("a hidden pre-activation landed on a kink")
    return stats, loss_sum, n_samples, norms


@path_param
@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "adam"])
@pytest.mark.parametrize("sizes,acts,out,cost", [GRID[i] for i in range(0, len(GRID), 5)])
def test_three_batch_chunk_carries_state(sizes, acts, out, cost, optimizer, path):
    net, ref = build(sizes, acts, out, cost, path=path)
    x, y = batch(net, ref, 14)
    order = np.random.default_rng(7).permutation(len(x)).astype(np.int64)
    cfg = config(optimizer)
    before = net.copy_params()
    # 5 + 5 + 4 rows: the last batch is smaller and its mean must use 4.
    stats, loss_sum, n_samples, _ = _chunk_vs_reference(net, ref, x, y, order, 0, 3, cfg)
    assert rel_err(net.params - before, ref.params - before) < TOL
    assert (stats.n_batches, stats.n_samples) == (3, 14) == (3, n_samples)
    assert stats.loss_sum == pytest.approx(loss_sum, rel=TOL)
    # State persists between calls: a second chunk continues from v/m/s/t of the first.
    before = net.copy_params()
    _chunk_vs_reference(net, ref, x, y, order, 0, 2, cfg)
    assert rel_err(net.params - before, ref.params - before) < TOL


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_reset_optimizer_state(optimizer):
    net, ref = build(SIZES, ("tanh", "tanh"), "softmax", "log_likelihood")
    x, y = batch(net, ref, 10)
    order = np.arange(10, dtype=np.int64)
    cfg = config(optimizer)
    _chunk_vs_reference(net, ref, x, y, order, 0, 2, cfg)
    net.reset_optimizer_state()
    ref.reset_optimizer_state()
    before = net.copy_params()
    _chunk_vs_reference(net, ref, x, y, order, 0, 2, cfg)
    assert rel_err(net.params - before, ref.params - before) < TOL


def test_chunk_stops_at_end_of_order_and_reports_gradient_norms():
    net, ref = build(SIZES, ("sigmoid", "sigmoid"), "sigmoid", "quadratic")
    x, y = batch(net, ref, 13)
    order = np.random.default_rng(2).permutation(len(x)).astype(np.int64)
    cfg = config("sgd", l2=0.0, l1=0.0)  # unregularised: the norms are of the plain gradient
    stats, loss_sum, n_samples, norms = _chunk_vs_reference(net, ref, x, y, order, 3, 10, cfg)
    assert (stats.n_batches, stats.n_samples) == (2, 10) == (len(norms), n_samples)  # rows 3..12
    assert stats.loss_sum == pytest.approx(loss_sum, rel=TOL)
    w_norms = np.mean([n[0] for n in norms], axis=0)
    b_norms = np.mean([n[1] for n in norms], axis=0)
    assert rel_err(stats.grad_w_norm, w_norms) < 1e-9
    assert rel_err(stats.grad_b_norm, b_norms) < 1e-9


def test_chunk_flags_non_finite():
    net, ref = build(SIZES, ("linear", "linear"), "linear", "quadratic")
    x, y = batch(net, ref, 10)
    x *= 1e30
    stats = chunk(net, x, y, np.arange(10, dtype=np.int64), 0, 2, config("sgd", eta=3.0))
    assert not stats.finite


# ---------------------------------------------------------------------------- dropout
DROP_SIZES = (4, 20, 3)


def _dropout_net(seed=3, path=None):
    spec = NetworkSpec.make(DROP_SIZES, "sigmoid", output_activation="softmax", cost="log_likelihood",
                            dtype="float64")
    net = Network(spec, seed=seed)
    if path is not None:
        net.blas_min = PATHS[path]
    return net


def _train(net, p, n_batches=20):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 4))
    y = np.eye(3)[rng.integers(0, 3, 40)]
    cfg = config("sgd", eta=0.5, l2=0.0, l1=0.0, dropout=p, batch_size=2)
    stats = chunk(net, x, y, np.arange(40, dtype=np.int64), 0, n_batches, cfg, n_train=40)
    return stats


def test_dropout_trains_finite_and_differs_from_no_dropout():
    a, b = _dropout_net(), _dropout_net()
    sa, sb = _train(a, 0.0), _train(b, 0.5)
    assert sa.finite and sb.finite and np.all(np.isfinite(b.params))
    assert not np.array_equal(a.params, b.params)


def test_dropout_same_seed_is_bit_identical():
    a, b = _dropout_net(seed=9), _dropout_net(seed=9)
    _train(a, 0.5)
    _train(b, 0.5)
    np.testing.assert_array_equal(a.params, b.params)


def test_dropout_only_while_training():
    net = _dropout_net()
    _train(net, 0.5)
    ref = ReferenceNet(DROP_SIZES, ("sigmoid",), "softmax", "log_likelihood", net.weights, net.biases)
    x = np.random.default_rng(0).normal(size=(5, 4))
    assert rel_err(net.forward(x), ref.forward(x)) < TOL  # no mask, no 1/(1-p) at inference
    np.testing.assert_array_equal(net.forward(x), net.forward(x))
    y = np.eye(3)[[0, 1, 2, 0, 1]]
    assert rel_err(net.gradient(x, y), ref.gradient(x, y)) < TOL


@path_param
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_is_inverted_and_drops_with_probability_p(p, path):
    """One sample per step, so each step has one mask; recover it from the bias update and replay it.

    A dropped hidden unit gets no gradient (its bias update is exactly 0); the whole update
    must then equal -eta * the reference gradient with that mask and 1/(1-p) scaling.
    """
    net = _dropout_net(seed=5, path=path)
    rng = np.random.default_rng(6)
    cfg = config("sgd", eta=0.5, l2=0.0, l1=0.0, dropout=p, batch_size=1)
    dropped, total = 0, 0
    for i in range(60):
        x = rng.normal(size=(1, 4))
        y = np.eye(3)[[i % 3]]
        before = net.copy_params()
        ref = ReferenceNet(DROP_SIZES, ("sigmoid",), "softmax", "log_likelihood", net.weights, net.biases)
        chunk(net, x, y, np.zeros(1, np.int64), 0, 1, cfg, n_train=60)
        keep = (net.biases[0] - ref.biases[0]) != 0
        dropped += int(np.sum(~keep))
        total += keep.size
        gw, gb = ref.gradient_lists(x, y, keep_masks=[keep], p=p)
        expected = before - cfg.eta * np.concatenate([gw[0].ravel(), gb[0], gw[1].ravel(), gb[1]])
        assert rel_err(net.params - before, expected - before) < TOL, f"step {i}"
    frac = dropped / total
    sd = np.sqrt(p * (1 - p) / total)
    assert abs(frac - p) < 5 * sd, f"dropped fraction {frac:.3f}, expected {p}"
