"""Evidence maps and hidden activations, checked against central differences and against
identities that hold for piecewise-linear networks."""
import numpy as np
import pytest

from playground.core.drawing import explain
from playground.core.network import Network
from playground.core.spec import NetworkSpec
from playground.core.transform import InputTransform


def net(sizes, act, out="softmax", seed=3, dtype="float64", **kw):
    cost = "log_likelihood" if out == "softmax" else "cross_entropy"
    return Network(NetworkSpec.make(sizes, act, output_activation=out, cost=cost, dtype=dtype, **kw), seed=seed)


def z_out(network, x):
    zs, _ = network.forward_all(np.asarray(x).reshape(1, -1))
    return zs[-1][0]


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "softplus", "elu", ["tanh", "sigmoid"]])
@pytest.mark.parametrize("out", ["softmax", "sigmoid"])
def test_score_gradient_matches_central_differences(act, out):
    layers = "9,7,5,4" if isinstance(act, list) else "9,6,4"
    n = net(layers, act, out)
    x = np.random.default_rng(0).uniform(0, 1, 9)
    zs, _ = explain.forward(n, x)
    grad = explain.score_gradient(n, zs, [0, 3])
    eps = 1e-6
    for row, c in enumerate([0, 3]):
        numeric = np.array([(z_out(n, x + eps * e)[c] - z_out(n, x - eps * e)[c]) / (2 * eps) for e in np.eye(9)])
        np.testing.assert_allclose(grad[row], numeric, rtol=1e-6, atol=1e-9)


def test_evidence_is_about_pixels_through_a_standardising_transform():
    n = net("6,5,3", "tanh")
    rng = np.random.default_rng(1)
    t = InputTransform((2, 3), rng.uniform(0, 0.5, 6).astype(np.float32), rng.uniform(0.5, 2, 6).astype(np.float32))
    pixels = rng.uniform(0, 1, 6)

    def z_of_pixels(p):
        return z_out(n, t.apply(p))[1]

    eps = 1e-3                  # the transform works in float32: a larger step keeps rounding small
    numeric = np.array([(z_of_pixels(pixels + eps * e) - z_of_pixels(pixels - eps * e)) / (2 * eps) for e in np.eye(6)])
    zs, _ = explain.forward(n, t.apply(pixels))
    ev = explain.evidence(n, zs, pixels, [1], t.input_scale)
    np.testing.assert_allclose(ev[0], pixels * numeric, rtol=1e-3, atol=1e-6)


def test_relu_network_without_biases_splits_its_score_exactly_over_the_pixels():
    n = net("20,8,8,10", "relu", bias_init="zeros")
    x = np.random.default_rng(2).uniform(0, 1, 20)
    zs, _ = explain.forward(n, x)
    ev = explain.evidence(n, zs, x, range(10))
    np.testing.assert_allclose(ev.sum(axis=1), zs[-1][0], rtol=1e-9, atol=1e-12)


def test_blank_pixels_carry_no_evidence_and_hidden_layers_come_back_per_layer():
    n = net("16,6,5,10", "relu", dtype="float32")
    x = np.zeros(16)
    x[3:7] = 1
    zs, acts = explain.forward(n, x)
    ev = explain.evidence(n, zs, x, [2, 5])
    assert ev.shape == (2, 16) and np.all(ev[:, x == 0] == 0) and np.any(ev[:, 3:7] != 0)
    hidden = explain.hidden_activations(acts)
    assert [h.shape for h in hidden] == [(6,), (5,)]
    np.testing.assert_allclose(hidden[0], np.maximum(x @ n.weights[0].T + n.biases[0], 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
def test_saturated_units_still_give_an_evidence_map(act):
    n = net("4,3,2", act)
    n.weights[0][:] = 60.0                 # z ~ 150: tanh(z) and sigmoid(z) round to exactly 1
    x = np.array([1.0, 0.5, 0.0, 1.0])
    zs, _ = explain.forward(n, x)
    assert np.all(n.hidden[0].prime(zs[0]) == 0)              # the textbook formula gives nothing
    ev = explain.evidence(n, zs, x, [0])
    assert np.all(np.isfinite(ev)) and np.abs(ev).max() > 0
    # and it is still the gradient: compare with the textbook derivative where that is exact
    z = np.linspace(-15, 15, 31)
    textbook = n.hidden[0].prime(z)
    np.testing.assert_allclose(explain._prime(n.hidden[0], z), textbook, rtol=1e-9, atol=1e-15)
