"""Quick checks of the Network API and kernels (the full grid against the numpy reference
lives in test_engine_vs_reference.py)."""
import numpy as np
import pytest

from playground.core.errors import SpecError
from playground.core.gradcheck import gradcheck, gradcheck_grid
from playground.core.network import ChunkStats, Network
from playground.core.spec import NetworkSpec, TrainConfig


def _data(n, n_in, n_out, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, n_in)).astype(dtype)
    y = np.zeros((n, n_out), dtype)
    y[np.arange(n), rng.integers(0, n_out, n)] = 1
    return x, y


def test_forward_shapes_and_views():
    net = Network(NetworkSpec.make("6,5,4,3", "tanh", output_activation="softmax", cost="log_likelihood"))
    x, _ = _data(9, 6, 3)
    out = net.forward(x)
    assert out.shape == (9, 3) and out.dtype == np.float32
    assert np.allclose(out.sum(axis=1), 1, atol=1e-5)
    zs, acts = net.forward_all(x)
    assert [z.shape for z in zs] == [(9, 5), (9, 4), (9, 3)]
    assert np.allclose(acts[-1], out, atol=1e-5)
    assert [w.shape for w in net.weights] == [(5, 6), (4, 5), (3, 4)]
    net.weights[0][0, 0] = 42.0  # views into the flat buffer
    assert net.params[0] == 42.0


@pytest.mark.parametrize("path", ["loops", "blas"])
@pytest.mark.parametrize("hidden,output,cost", [
    ("sigmoid", "sigmoid", "cross_entropy"),
    ("relu", "softmax", "log_likelihood"),
    ("tanh", "softmax", "cross_entropy"),
    ("leaky_relu", "linear", "quadratic"),
])
def test_gradient_matches_numerical(hidden, output, cost, path):
    (res,) = [r for r in gradcheck_grid(paths=(path,)) if (r.hidden, r.output, r.cost) == (hidden, output, cost)]
    assert res.worst < 1e-7, str(res)


def test_gradcheck_accepts_float32_network():
    spec = NetworkSpec.make("4,3,2", "sigmoid")
    net = Network(spec)
    x, y = _data(5, 4, 2, np.float64)
    worst = max(max(w, b) for _, w, b in gradcheck(net, x, y))
    assert worst < 1e-6


def _train(seed, dropout, optimizer, dtype="float32"):
    spec = NetworkSpec.make("12,8,6,3", "relu", output_activation="softmax", cost="log_likelihood", dtype=dtype)
    net = Network(spec, seed=seed)
    x, y = _data(50, 12, 3, np.dtype(dtype))
    cfg = TrainConfig(eta=0.05, batch_size=7, dropout=dropout, optimizer=optimizer, l2=0.1, l1=0.01)
    order = np.random.default_rng(seed).permutation(50).astype(np.int64)
    stats = [net.train_chunk(x, y, order, 0, 3, cfg, 50), net.train_chunk(x, y, order, 21, 100, cfg, 50)]
    return net, stats


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
def test_same_seed_is_bit_identical(optimizer):
    a, sa = _train(3, 0.3, optimizer)
    b, sb = _train(3, 0.3, optimizer)
    c, _ = _train(4, 0.3, optimizer)
    assert np.array_equal(a.params, b.params)
    assert sa[1].loss_sum == sb[1].loss_sum
    assert not np.array_equal(a.params, c.params)


def test_chunk_stats():
    net, (s1, s2) = _train(1, 0.0, "sgd")
    assert isinstance(s1, ChunkStats)
    assert (s1.n_batches, s1.n_samples) == (3, 21)
    assert (s2.n_batches, s2.n_samples) == (5, 29)  # stops at the end of the order, last batch of 1
    assert s1.finite and s2.finite and s1.loss_sum > 0
    assert s1.grad_w_norm.shape == (3,) and np.all(s1.grad_w_norm > 0)


def test_float32_and_float64_start_equal_and_train():
    n32, _ = _train(2, 0.0, "adam", "float32")
    n64, _ = _train(2, 0.0, "adam", "float64")
    assert n32.params.dtype == np.float32 and n64.params.dtype == np.float64
    assert np.allclose(n32.params, n64.params, atol=1e-3)
    s32 = NetworkSpec.make("3,2", output_activation="sigmoid")
    s64 = NetworkSpec.make("3,2", output_activation="sigmoid", dtype="float64")
    assert np.array_equal(Network(s32, 5).params, Network(s64, 5).params.astype(np.float32))


def test_gradient_step_lowers_loss():
    spec = NetworkSpec.make("10,16,4", "sigmoid")
    net = Network(spec, seed=1)
    x, y = _data(200, 10, 4)
    before = net.loss(x, y)
    order = np.arange(200, dtype=np.int64)
    for _ in range(20):
        net.train_chunk(x, y, order, 0, 20, TrainConfig(eta=1.0, batch_size=10), 200)
    assert net.loss(x, y) < before


def test_divergence_is_reported():
    spec = NetworkSpec.make("10,16,4", "linear", output_activation="linear", cost="quadratic")
    net = Network(spec, seed=1)
    x, y = _data(100, 10, 4)
    stats = net.train_chunk(x * 100, y, np.arange(100, dtype=np.int64), 0, 10, TrainConfig(eta=50.0), 100)
    assert not stats.finite


def test_memory_refused_before_allocation():
    with pytest.raises(SpecError, match="GiB"):
        Network(NetworkSpec.make("784,300000,300000,10"))


def test_params_roundtrip():
    spec = NetworkSpec.make("5,4,2")
    net = Network(spec, seed=7)
    copy = Network.from_params(spec, net.copy_params())
    x, _ = _data(3, 5, 2)
    assert np.array_equal(copy.forward(x), net.forward(x))
    with pytest.raises(SpecError):
        net.set_params(np.zeros(3))


def test_forward_from_two_threads_at_once_gives_each_its_own_answer():
    # The GUI reads predictions while the training thread evaluates its monitors.
    import threading

    net = Network(NetworkSpec.make("20,16,3", "tanh", output_activation="softmax", cost="log_likelihood",
                                   dtype="float64"), seed=3)
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(700, 20)) for _ in range(2)]
    expected = [net.forward_all(x)[1][-1] for x in inputs]   # plain numpy path
    errors = []

    def hammer(i):
        for _ in range(40):
            got = net.forward(inputs[i])
            if not np.allclose(got, expected[i], rtol=1e-12, atol=1e-14):
                errors.append(i)
                return

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
