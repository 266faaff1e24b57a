"""The numpy twin a first start trains on while the kernels compile (core/interim.py) must do what
the kernels do: the same parameters, optimiser state and counters after the same mini-batches."""
from __future__ import annotations

import numpy as np
import pytest

from playground.core import interim, kernels
from playground.core.network import Network
from playground.core.spec import NetworkSpec, TrainConfig

CASES = [  # hidden activations, output, cost, optimiser, extra config
    (("tanh", "tanh"), "softmax", "log_likelihood", "adam", {}),
    (("sigmoid",), "sigmoid", "cross_entropy", "sgd", {"l2": 0.5}),
    (("relu", "leaky_relu"), "linear", "quadratic", "momentum", {"l1": 0.3, "momentum": 0.8}),
    (("elu", "softplus"), "softmax", "cross_entropy", "nesterov", {"dropout": 0.3, "momentum": 0.9}),
    (("linear",), "sigmoid", "quadratic", "adam", {"dropout": 0.5, "l2": 0.1}),
    (("tanh",), "softmax", "quadratic", "sgd", {}),
]


def _pair(hidden, output, cost, dtype):
    spec = NetworkSpec.make((3, *[5] * len(hidden), 4), list(hidden), output_activation=output, cost=cost,
                            dtype=dtype)
    return Network(spec, seed=3), Network(spec, seed=3)


def _data(dtype, n=23):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype(dtype)
    y = np.eye(4, dtype=dtype)[rng.integers(0, 4, n)]
    return x, y, rng.permutation(n).astype(np.int64)


def _train(net, x, y, order, cfg, chunks):
    stats = []
    for start in chunks:       # 23 rows at batch 5: the last batch of an epoch has 3
        stats.append(net.train_chunk(x, y, order, start, 2, cfg, len(x)))
    return stats


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hidden,output,cost,opt,extra", CASES)
def test_the_twin_trains_as_the_kernel_does(hidden, output, cost, opt, extra, dtype):
    kernel_net, twin_net = _pair(hidden, output, cost, dtype)
    x, y, order = _data(dtype)
    cfg = TrainConfig(batch_size=5, eta=0.05, optimizer=opt, **extra)
    chunks = [0, 10, 20, 0, 10, 20]
    want = _train(kernel_net, x, y, order, cfg, chunks)
    want_out = kernel_net.forward(x)
    interim.begin(dtype)
    try:
        got = _train(twin_net, x, y, order, cfg, chunks)
        got_out = twin_net.forward(x)
    finally:
        interim.end(dtype)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    for w, g in zip(want, got):
        assert (g.n_batches, g.n_samples) == (w.n_batches, w.n_samples)
        np.testing.assert_allclose(g.loss_sum, w.loss_sum, **tol)
        np.testing.assert_allclose(g.grad_w_norm, w.grad_w_norm, **tol)
        np.testing.assert_allclose(g.grad_b_norm, w.grad_b_norm, **tol)
    np.testing.assert_allclose(twin_net.params, kernel_net.params, **tol)
    np.testing.assert_allclose(twin_net._vel, kernel_net._vel, **tol)
    np.testing.assert_allclose(twin_net._sq, kernel_net._sq, **tol)
    assert twin_net._step[0] == kernel_net._step[0]
    assert twin_net.rng_state[0] == kernel_net.rng_state[0]     # the same number of dropout draws
    np.testing.assert_allclose(got_out, want_out, **tol)


def test_networks_use_the_twin_only_while_their_dtype_compiles(monkeypatch):
    def no_kernel(*args):
        raise AssertionError("the compiled kernel was called")

    net32, _ = _pair(("tanh",), "softmax", "log_likelihood", "float32")
    net64, _ = _pair(("tanh",), "softmax", "log_likelihood", "float64")
    x, y, order = _data("float32")
    cfg = TrainConfig(batch_size=5)
    monkeypatch.setattr(kernels, "train_kernel", no_kernel)
    monkeypatch.setattr(kernels, "forward_kernel", no_kernel)
    interim.begin("float32")
    try:
        assert net32.train_chunk(x, y, order, 0, 2, cfg, len(x)).n_batches == 2
        assert net32.forward(x).shape == (23, 4)
        with pytest.raises(AssertionError, match="compiled kernel"):
            net64.forward(x)                      # another dtype: its kernels are ready
        with interim.compiled(), pytest.raises(AssertionError, match="compiled kernel"):
            net32.forward(x)                      # the thread that loads the kernels
    finally:
        interim.end("float32")
    with pytest.raises(AssertionError, match="compiled kernel"):
        net32.train_chunk(x, y, order, 0, 2, cfg, len(x))


def test_numpy_blas_runs_one_thread_while_the_twin_is_in_use(monkeypatch):
    before = kernels.get_blas_threads("numpy")
    if before == 0:
        pytest.skip("numpy's BLAS is not the bundled OpenBLAS")
    kernels.set_blas_threads(2, "numpy")
    monkeypatch.setattr(interim, "_pending", set())
    try:
        interim.begin("float32")
        interim.begin("float64")
        assert kernels.get_blas_threads("numpy") == 1
        interim.end("float32")
        assert kernels.get_blas_threads("numpy") == 1          # float64 still trains on the twin
        interim.end("float64")
        assert kernels.get_blas_threads("numpy") == 2
    finally:
        kernels.set_blas_threads(before, "numpy")
