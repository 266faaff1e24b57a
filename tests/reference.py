"""A slow, obvious numpy twin of the engine, written from the maths, never from the engine.

Layers follow Saito's ``common/layers.py``: each has ``forward(x)`` / ``backward(dout)`` and
caches only what its backward needs. The output activation and the cost are kept apart on
purpose: the cost gives dC/da, the output layer turns it into dC/dz (softmax through its full
Jacobian). That is the long way round, so the engine's exact shortcuts (a - y) are checked
against it rather than copied. ``SoftmaxWithLoss`` is Saito's fused layer, kept as a second
opinion for the log-likelihood case. Everything is float64 and vectorised only over the batch.

Regularisation (Nielsen's lambda / n scaling) and the optimiser updates (SGD, momentum, Nesterov,
Adam with bias correction) are written out below from their textbook formulas.
"""
from __future__ import annotations

import numpy as np

EPS_LOG = 1e-12  # a is clipped into [1e-12, 1 - 1e-12] inside the logs (core/costs.py CLIP)


# ---------------------------------------------------------------------------- layers
class Affine:
    """z = x @ W.T + b with W in Nielsen's (n_out, n_in) orientation."""

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = None
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W

    def __repr__(self):
        return f"Affine({self.W.shape[1]} -> {self.W.shape[0]})"


class Sigmoid:
    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)


class Relu:
    def forward(self, x):
        self.mask = x <= 0  # derivative 0 at z <= 0, the engine's convention
        out = x.copy()
        out[self.mask] = 0.0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0.0
        return dx


class LeakyRelu:
    slope = 0.01

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] *= self.slope
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] *= self.slope
        return dx


class Elu:
    """alpha = 1: z if z > 0 else e^z - 1; derivative e^z on the left (continuous at 0)."""

    def forward(self, x):
        self.mask = x <= 0
        self.expx = np.exp(np.minimum(x, 0.0))
        return np.where(self.mask, self.expx - 1.0, x)

    def backward(self, dout):
        return np.where(self.mask, dout * self.expx, dout)


class Softplus:
    """log(1 + e^z), derivative sigmoid(z)."""

    def forward(self, x):
        self.sig = 1.0 / (1.0 + np.exp(-x))
        return np.logaddexp(0.0, x)

    def backward(self, dout):
        return dout * self.sig


class Linear:
    def forward(self, x):
        return x.copy()

    def backward(self, dout):
        return dout.copy()


class Softmax:
    """Output-only. backward applies the full Jacobian diag(a) - a a^T per sample, deliberately."""

    def forward(self, x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.out = e / e.sum(axis=1, keepdims=True)
        return self.out

    def backward(self, dout):
        dx = np.empty_like(dout)
        for i, a in enumerate(self.out):
            jacobian = np.diag(a) - np.outer(a, a)
            dx[i] = jacobian.T @ dout[i]
        return dx


class FixedDropout:
    """Saito's Dropout with the mask given (inverted: kept units scaled by 1/(1-p)).

    The engine draws its own random numbers, so a test recovers the mask it used and
    replays it here; the maths of applying the mask is what is being compared.
    """

    def __init__(self, keep, p):
        self.scale = np.where(keep, 1.0 / (1.0 - p), 0.0)

    def forward(self, x):
        return x * self.scale

    def backward(self, dout):
        return dout * self.scale


ACTIVATION_LAYERS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": Relu,
    "leaky_relu": LeakyRelu,
    "elu": Elu,
    "softplus": Softplus,
    "linear": Linear,
    "softmax": Softmax,
}


# ---------------------------------------------------------------------------- costs
# Per-sample cost and its derivative with respect to the output activation a (not z).
class QuadraticCost:
    @staticmethod
    def fn(a, y):
        return 0.5 * np.sum((a - y) ** 2, axis=1)

    @staticmethod
    def da(a, y):
        return a - y


class CrossEntropyCost:
    @staticmethod
    def fn(a, y):
        a = np.clip(a, EPS_LOG, 1.0 - EPS_LOG)
        return np.sum(np.nan_to_num(-y * np.log(a) - (1.0 - y) * np.log(1.0 - a)), axis=1)

    @staticmethod
    def da(a, y):
        return -y / a + (1.0 - y) / (1.0 - a)


class LogLikelihoodCost:
    @staticmethod
    def fn(a, y):
        return -np.sum(y * np.log(np.clip(a, EPS_LOG, 1.0)), axis=1)

    @staticmethod
    def da(a, y):
        return -y / a


COSTS = {"quadratic": QuadraticCost, "cross_entropy": CrossEntropyCost, "log_likelihood": LogLikelihoodCost}


class SoftmaxWithLoss:
    """Saito's fused softmax + log-likelihood: backward is simply (a - y) / batch."""

    def forward(self, x, y):
        self.y = y
        self.a = Softmax().forward(x)
        return float(np.mean(LogLikelihoodCost.fn(self.a, y)))

    def backward(self, dout=1.0):
        return dout * (self.a - self.y) / self.y.shape[0]


# ---------------------------------------------------------------------------- network
def flatten(weights, biases):
    """The engine's parameter layout (core/kernels.py): [W0 row-major, b0, W1, b1, ...]."""
    parts = []
    for W, b in zip(weights, biases):
        parts += [np.ravel(W), np.ravel(b)]
    return np.concatenate(parts)


def unflatten(flat, sizes):
    weights, biases, k = [], [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights.append(flat[k:k + n_out * n_in].reshape(n_out, n_in)); k += n_out * n_in
        biases.append(flat[k:k + n_out]); k += n_out
    assert k == flat.size
    return weights, biases


class ReferenceNet:
    def __init__(self, sizes, hidden_acts, output, cost, weights, biases, fused=False):
        self.sizes = tuple(sizes)
        if isinstance(hidden_acts, str):
            hidden_acts = (hidden_acts,) * (len(sizes) - 2)
        self.hidden_acts = tuple(hidden_acts)
        self.output, self.cost_name = output, cost
        self.cost = COSTS[cost]
        # Own float64 copies: the reference must never alias the engine's buffer.
        self.weights = [np.array(W, dtype=np.float64, copy=True) for W in weights]
        self.biases = [np.array(b, dtype=np.float64, copy=True) for b in biases]
        self.fused = fused and output == "softmax" and cost == "log_likelihood"
        self.reset_optimizer_state()

    def __repr__(self):
        acts = ",".join(self.hidden_acts)
        return f"ReferenceNet({self.sizes}, hidden={acts}, out={self.output}, cost={self.cost_name})"

    @property
    def params(self):
        return flatten(self.weights, self.biases)

    def _layers(self, keep_masks=None, p=0.0):
        """Affine/activation pairs; ``keep_masks`` (one bool array per hidden layer) adds dropout."""
        acts = list(self.hidden_acts) + [self.output]
        layers = []
        for l, (W, b, act) in enumerate(zip(self.weights, self.biases, acts)):
            layers += [Affine(W, b), ACTIVATION_LAYERS[act]()]
            if keep_masks is not None and l < len(self.hidden_acts):
                layers.append(FixedDropout(keep_masks[l], p))
        return layers

    def forward_all(self, x):
        """zs and activations per layer (activations[0] is x), like Nielsen's backprop."""
        x = np.asarray(x, dtype=np.float64)
        zs, activations = [], [x]
        for layer in self._layers():
            x = layer.forward(x)
            (zs if isinstance(layer, Affine) else activations).append(x)
        return zs, activations

    def forward(self, x):
        return self.forward_all(x)[1][-1]

    def loss(self, x, y, l2=0.0, l1=0.0, n_total=None):
        """Mean per-sample cost, plus Nielsen's 0.5*(l2/n)*sum W^2 and (l1/n)*sum |W| if given."""
        y = np.asarray(y, dtype=np.float64)
        c = float(np.mean(self.cost.fn(self.forward(x), y)))
        if l2 or l1:
            n = n_total if n_total is not None else len(x)
            c += 0.5 * (l2 / n) * sum(float(np.sum(W * W)) for W in self.weights)
            c += (l1 / n) * sum(float(np.sum(np.abs(W))) for W in self.weights)
        return c

    def gradient_lists(self, x, y, keep_masks=None, p=0.0):
        """(nabla_w, nabla_b) of the MEAN cost over the batch, no regularisation."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        m = x.shape[0]
        layers = self._layers(keep_masks, p)
        out = x
        body = layers[:-1] if self.fused else layers
        for layer in body:
            out = layer.forward(out)
        if self.fused:
            head = SoftmaxWithLoss()
            head.forward(out, y)
            dout = head.backward()
        else:
            dout = self.cost.da(out, y) / m  # mean over the batch
        for layer in reversed(body):
            dout = layer.backward(dout)
        affines = [l for l in layers if isinstance(l, Affine)]
        return [a.dW for a in affines], [a.db for a in affines]

    def gradient(self, x, y):
        return flatten(*self.gradient_lists(x, y))

    # ------------------------------------------------------------------ training
    def reset_optimizer_state(self):
        zeros = lambda: [np.zeros_like(p) for p in self._param_list()]
        self.v, self.m, self.s, self.t = zeros(), zeros(), zeros(), 0

    def _param_list(self):
        out = []
        for W, b in zip(self.weights, self.biases):
            out += [W, b]
        return out

    def step(self, optimizer, x, y, *, eta, n_train, l2=0.0, l1=0.0, momentum=0.9,
             beta1=0.9, beta2=0.999, adam_eps=1e-8):
        """One mini-batch update, the formulas above. Returns the batch's mean cost before the update."""
        batch_loss = self.loss(x, y)
        nabla_w, nabla_b = self.gradient_lists(x, y)
        grads = []
        for W, gW, gb in zip(self.weights, nabla_w, nabla_b):
            # Weights only are regularised; biases are not (Nielsen).
            grads += [gW + (l2 / n_train) * W + (l1 / n_train) * np.sign(W), gb]
        params = self._param_list()
        if optimizer == "adam":
            self.t += 1
        for i, (p, g) in enumerate(zip(params, grads)):
            if optimizer == "sgd":
                p -= eta * g
            elif optimizer == "momentum":
                self.v[i] = momentum * self.v[i] - eta * g
                p += self.v[i]
            elif optimizer == "nesterov":
                v_prev = self.v[i]
                self.v[i] = momentum * self.v[i] - eta * g
                p += -momentum * v_prev + (1.0 + momentum) * self.v[i]
            elif optimizer == "adam":
                self.m[i] = beta1 * self.m[i] + (1.0 - beta1) * g
                self.s[i] = beta2 * self.s[i] + (1.0 - beta2) * g * g
                m_hat = self.m[i] / (1.0 - beta1 ** self.t)
                s_hat = self.s[i] / (1.0 - beta2 ** self.t)
                p -= eta * m_hat / (np.sqrt(s_hat) + adam_eps)
            else:
                raise ValueError(f"unknown optimiser {optimizer!r}")
        return batch_loss

    def train_chunk(self, x, y, order, start, n_batches, *, batch_size, optimizer, n_train, **hyper):
        """What Network.train_chunk does: batches of ``order`` from ``start``.

        Returns (loss_sum, n_samples, nabla-norms per batch) so chunk statistics can be checked.
        """
        loss_sum, n_samples, norms = 0.0, 0, []
        for k in range(n_batches):
            lo = start + k * batch_size
            if lo >= len(order):
                break
            rows = order[lo:min(lo + batch_size, len(order))]
            xb, yb = x[rows], y[rows]
            nabla_w, nabla_b = self.gradient_lists(xb, yb)
            norms.append(([np.linalg.norm(g) for g in nabla_w], [np.linalg.norm(g) for g in nabla_b]))
            loss_sum += self.step(optimizer, xb, yb, n_train=n_train, **hyper) * len(rows)
            n_samples += len(rows)
        return loss_sum, n_samples, norms


# ---------------------------------------------------------------------------- numerical gradient
def numerical_gradient(f, x, h=1e-5):
    """Saito's central difference: perturb each entry of ``x`` in place, then restore it.

    ``f`` takes no argument and reads ``x`` (a parameter array it closes over).
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        keep = float(x[idx])
        x[idx] = keep + h
        fxh1 = f()
        x[idx] = keep - h
        fxh2 = f()
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = keep
        it.iternext()
    return grad


def numerical_gradient_net(net: ReferenceNet, x, y, h=1e-5):
    """Numerical gradient of the reference's mean loss, flat in the engine's layout."""
    parts = []
    for W, b in zip(net.weights, net.biases):
        parts.append(numerical_gradient(lambda: net.loss(x, y), W, h).ravel())
        parts.append(numerical_gradient(lambda: net.loss(x, y), b, h).ravel())
    return np.concatenate(parts)


def rel_err(a, b):
    """Largest absolute difference relative to the largest magnitude present."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


def min_abs_hidden_z(net: ReferenceNet, x):
    """Distance of the nearest hidden pre-activation from a kink (relu, leaky relu, elu at 0)."""
    zs, _ = net.forward_all(x)
    return min((float(np.min(np.abs(z))) for z in zs[:-1]), default=np.inf)


# ---------------------------------------------------------------------------- test grid helpers
def make_batch(sizes, output, n, rng):
    """Inputs and targets that suit the output layer: one-hot for softmax, (0,1) for sigmoid."""
    x = rng.normal(0.0, 1.0, size=(n, sizes[0]))
    k = sizes[-1]
    if output == "softmax":
        y = np.eye(k)[rng.integers(0, k, size=n)]
    elif output == "sigmoid":
        y = rng.uniform(0.05, 0.95, size=(n, k))
    else:
        y = rng.normal(0.0, 1.0, size=(n, k))
    return x, y


def away_from_kinks(net: ReferenceNet, sizes, output, n, seed, margin=1e-3, tries=200):
    """A batch whose hidden pre-activations all sit at least ``margin`` from 0.

    relu / leaky relu have a kink at 0: a central difference straddling it, or two
    implementations rounding z to opposite sides of it, would differ legitimately.
    """
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        x, y = make_batch(sizes, output, n, rng)
        if min_abs_hidden_z(net, x) > margin:
            return x, y
    raise RuntimeError(f"no batch with |z| > {margin} found for {net!r}")


def output_cost_grid():
    """Every (output, cost) pair, split into those NetworkSpec accepts and those it refuses.

    Asked of the spec rather than hard-coded, so a newly allowed pair is tested automatically.
    """
    from playground.core.errors import SpecError
    from playground.core.spec import COSTS as SPEC_COSTS, OUTPUT_ACTIVATIONS, NetworkSpec

    accepted, refused = [], []
    for out in OUTPUT_ACTIVATIONS:
        for cost in SPEC_COSTS:
            try:
                NetworkSpec.make((6, 5, 4, 3), "sigmoid", output_activation=out, cost=cost, dtype="float64")
            except SpecError:
                refused.append((out, cost))
            else:
                accepted.append((out, cost))
    return accepted, refused


GRID_SIZES = (6, 5, 4, 3)


def combination_grid():
    """pytest params (sizes, hidden activations, output, cost) covering every hidden activation on
    both hidden layers, plus per-layer mixtures (deeper too), times every accepted output x cost."""
    import pytest
    from playground.core.spec import HIDDEN_ACTIVATIONS

    hidden = [(GRID_SIZES, (a, a)) for a in HIDDEN_ACTIVATIONS] + [
        ((6, 5, 4, 3), ("relu", "sigmoid")),
        ((6, 5, 4, 4, 3), ("tanh", "leaky_relu", "softplus")),
        ((6, 5, 4, 4, 3), ("elu", "linear", "relu")),
    ]
    accepted, _ = output_cost_grid()
    return [pytest.param(sizes, acts, out, cost, id=f"{'-'.join(acts)}|{out}|{cost}")
            for sizes, acts in hidden for out, cost in accepted]
