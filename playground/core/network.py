"""Network: one flat parameter buffer with per-layer views, trained by the fused numba kernel.

The public methods validate and convert their inputs, then call a compiled kernel with arrays
and scalars only (kernels.py). Everything the kernels need between calls (gradient buffer,
optimiser state, dropout RNG state, workspaces) is owned here, so a Network is the whole
training state apart from the data.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from . import activations, costs, interim, kernels
from .errors import SpecError
from .init import init_params
from .spec import NetworkSpec, TrainConfig, check_seed

# Rows per block when evaluating large inputs (forward/loss): big enough for BLAS to pay off,
# small enough that the workspace stays in cache.
EVAL_BLOCK = 256


@dataclass
class ChunkStats:
    n_batches: int
    n_samples: int
    loss_sum: float                 # summed per-sample cost over the chunk (no regularisation)
    grad_w_norm: np.ndarray         # (L,) per-layer L2 norm of the weight gradient, mean over batches
    grad_b_norm: np.ndarray         # (L,)
    finite: bool                    # False if the loss or any parameter went NaN/Inf

    @property
    def mean_loss(self) -> float:
        return self.loss_sum / self.n_samples if self.n_samples else float("nan")


def _seed_state(seed: int) -> np.ndarray:
    """Dropout RNG state (uint64[1]) derived from the network seed via numpy's SeedSequence."""
    word = np.random.SeedSequence(int(seed)).generate_state(1, dtype=np.uint64)
    return np.array(word, dtype=np.uint64)


class _Workspace:
    """Per-unit buffers for up to ``cap`` rows: A (activations, layer 0 = input), Z, D, M."""

    def __init__(self, sizes: np.ndarray, cap: int, dtype):
        self.cap = cap
        counts = sizes * cap
        self.u_off = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        total = int(counts.sum())
        self.A = np.zeros(total, dtype)
        self.Z = np.zeros(total, dtype)
        self.D = np.zeros(total, dtype)
        self.M = np.zeros(total, dtype)
        self.row = np.zeros(2 * int(sizes.max()), dtype)  # two weight-gradient rows


class Network:
    def __init__(self, spec: NetworkSpec, seed: int = 1, *, _params: np.ndarray | None = None):
        spec = spec.normalised()
        spec.validate()
        spec.check_memory(batch_size=10)  # refuse before allocating anything large
        self.spec = spec
        self.seed = check_seed(seed)
        self.dtype = np.dtype(spec.dtype)
        self.sizes = np.asarray(spec.sizes, dtype=np.int64)
        shapes = spec.layer_shapes
        w_off, b_off, off = [], [], 0
        for n_out, n_in in shapes:
            w_off.append(off)
            off += n_out * n_in
            b_off.append(off)
            off += n_out
        self.w_off = np.asarray(w_off, dtype=np.int64)
        self.b_off = np.asarray(b_off, dtype=np.int64)
        self.act_codes = np.asarray(
            [activations.get(a).code for a in spec.hidden_activations]
            + [activations.get(spec.output_activation).code], dtype=np.int64)
        self.cost = costs.get(spec.cost)
        self.hidden = [activations.get(a) for a in spec.hidden_activations]
        self.output = activations.get(spec.output_activation)

        self.params = np.empty(off, dtype=self.dtype)
        self.weights = [self.params[w:w + o * i].reshape(o, i) for w, (o, i) in zip(w_off, shapes)]
        self.biases = [self.params[b:b + o] for b, (o, _) in zip(b_off, shapes)]
        if _params is None:
            self.params[:] = init_params(spec, self.seed)
        else:
            self.set_params(_params)
        # np.zeros pages are only touched when used: no cost until training starts.
        self._grad = np.zeros(off, dtype=self.dtype)
        self._vel = np.zeros(off, dtype=self.dtype)
        self._sq = np.zeros(off, dtype=self.dtype)
        self._step = np.zeros(1, dtype=np.int64)
        self._optimizer = None
        self.rng_state = _seed_state(self.seed)
        self._train_ws: _Workspace | None = None
        # One evaluation workspace per thread: the GUI may read predictions while the training
        # thread evaluates its monitors, and a shared scratch buffer would mix their results.
        self._eval_local = threading.local()
        self.blas_min = kernels.BLAS_MIN_WORK

    @classmethod
    def from_params(cls, spec: NetworkSpec, flat, seed: int = 1) -> "Network":
        """A network with the given flat parameters (layout [W0, b0, W1, b1, ...]), for loading."""
        return cls(spec, seed, _params=np.asarray(flat))

    def __repr__(self):
        sizes = ",".join(map(str, self.spec.sizes))
        return f"Network({sizes}, {self.spec.output_activation}/{self.spec.cost}, {self.dtype.name})"

    # ------------------------------------------------------------------ helpers
    @property
    def n_layers(self) -> int:
        return len(self.spec.sizes) - 1

    def _workspace(self, which: str, cap: int) -> _Workspace:
        owner = self._eval_local if which == "_eval_ws" else self
        ws = getattr(owner, which, None)
        if ws is None or ws.cap < cap:
            self.spec.check_memory(batch_size=cap)
            ws = _Workspace(self.sizes, cap, self.dtype)
            setattr(owner, which, ws)
        return ws

    def _hyper(self, cfg: TrainConfig | None = None, n_train: int = 1) -> np.ndarray:
        h = np.zeros(kernels.N_HYPER, dtype=self.dtype)
        if cfg is not None:
            n = max(int(n_train), 1)
            h[kernels.H_ETA] = cfg.eta
            h[kernels.H_MU] = cfg.momentum
            h[kernels.H_B1] = cfg.beta1
            h[kernels.H_B2] = cfg.beta2
            h[kernels.H_EPS] = cfg.adam_eps
            h[kernels.H_L2N] = cfg.l2 / n
            h[kernels.H_L1N] = cfg.l1 / n
            h[kernels.H_DROP] = cfg.dropout
            h[kernels.H_KEEP] = 1.0 / (1.0 - cfg.dropout)
        return h

    def _as_input(self, x, n_cols: int, what: str) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != n_cols:
            raise SpecError(f"{what} has shape {x.shape}, but this network needs (n, {n_cols}).")
        return x

    # ------------------------------------------------------------------ inference
    def forward(self, x) -> np.ndarray:
        """Output activations for x of shape (n, n_in)."""
        x = self._as_input(x, self.spec.sizes[0], "Input")
        out = np.empty((x.shape[0], self.spec.sizes[-1]), dtype=self.dtype)
        if x.shape[0] == 0:
            return out
        ws = self._workspace("_eval_ws", min(EVAL_BLOCK, x.shape[0]))
        engine = interim if interim.active(self.dtype) else kernels     # a first start compiling
        engine.forward_kernel(self.params, x, out, self.sizes, self.w_off, self.b_off, self.act_codes,
                               ws.u_off, ws.cap, ws.A, ws.Z, ws.M, self._hyper(), self.rng_state,
                               self.blas_min)
        return out

    predict = forward

    def forward_all(self, x):
        """(zs, activations) per layer in plain numpy, for probes and histograms.

        activations[0] is x itself; zs[l] / activations[l + 1] belong to weight layer l.
        """
        a = self._as_input(x, self.spec.sizes[0], "Input")
        zs, acts = [], [a]
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w.T + b
            act = self.output if l == self.n_layers - 1 else self.hidden[l]
            a = act.fn(z).astype(self.dtype, copy=False)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def loss(self, x, y, l2: float = 0.0, l1: float = 0.0, n_total: int | None = None) -> float:
        """Mean cost over (x, y), plus Nielsen's regularisation terms if l2/l1 are given:
        0.5 (l2/n) sum w^2 + (l1/n) sum |w|, with n = n_total (default len(x))."""
        x = self._as_input(x, self.spec.sizes[0], "Input")
        y = self._as_input(y, self.spec.sizes[-1], "Targets")
        if len(x) == 0:
            return float("nan")
        a = self.forward(x)
        value = float(np.mean(self.cost.fn(a, y.astype(np.float64))))
        n = n_total if n_total is not None else len(x)
        if l2:
            value += 0.5 * (l2 / n) * sum(float(np.sum(np.square(w, dtype=np.float64))) for w in self.weights)
        if l1:
            value += (l1 / n) * sum(float(np.sum(np.abs(w), dtype=np.float64)) for w in self.weights)
        return value

    # ------------------------------------------------------------------ training
    def gradient(self, x, y) -> np.ndarray:
        """Gradient of the MEAN cost over (x, y) w.r.t. params (flat, same layout); no regularisation.

        Runs the training kernel itself in a no-update mode, so gradcheck tests what trains.
        """
        x = self._as_input(x, self.spec.sizes[0], "Input")
        y = self._as_input(y, self.spec.sizes[-1], "Targets")
        n = len(x)
        if n == 0 or len(y) != n:
            raise SpecError(f"gradient needs matching, non-empty x and y (got {len(x)} and {len(y)} rows).")
        ws = self._workspace("_train_ws", n)
        order = np.arange(n, dtype=np.int64)
        L = self.n_layers
        loss = np.zeros(1)
        self._grad[:] = 0
        kernels.train_kernel(self.params, self._grad, self._vel, self._sq, self._step, x, y, order, 0, 1, n,
                             self.sizes, self.w_off, self.b_off, self.act_codes, ws.u_off,
                             self.cost.code, kernels.OPT_NONE, self._hyper(), self.rng_state,
                             ws.A, ws.Z, ws.D, ws.M, ws.row, loss, np.zeros(L), np.zeros(L), self.blas_min)
        return self._grad.copy()

    def train_chunk(self, x, y, order, start: int, n_batches: int, cfg: TrainConfig, n_train: int,
                    rng_state: np.ndarray | None = None) -> ChunkStats:
        """Train n_batches mini-batches (rows order[start + k*B : ...]) in ONE kernel call.

        x, y should already be C-contiguous in the network dtype (otherwise they are converted,
        which copies them every call). Stops early at the end of ``order``.
        """
        B = int(cfg.batch_size)
        if B < 1:
            raise SpecError(f"Batch size {B} must be at least 1.")
        x = self._as_input(x, self.spec.sizes[0], "Input")
        y = self._as_input(y, self.spec.sizes[-1], "Targets")
        if len(y) != len(x):
            raise SpecError(f"x has {len(x)} rows but y has {len(y)}.")
        order = np.ascontiguousarray(order, dtype=np.int64)
        start = int(start)
        n_batches = int(n_batches)
        stop = min(len(order), start + n_batches * B)
        if start < 0 or (stop > start and (order[start:stop].min() < 0 or order[start:stop].max() >= len(x))):
            raise SpecError("The sample order refers to rows that are not in the training data.")
        opt = kernels.OPT_CODES[cfg.optimizer]
        if self._optimizer != cfg.optimizer:  # state of one optimiser means nothing to another
            if self._optimizer is not None:
                self.reset_optimizer_state()
            self._optimizer = cfg.optimizer
        rng = self.rng_state if rng_state is None else rng_state
        ws = self._workspace("_train_ws", B)
        L = self.n_layers
        loss = np.zeros(1)
        gw = np.zeros(L)
        gb = np.zeros(L)
        engine = interim if interim.active(self.dtype) else kernels     # a first start compiling
        done = engine.train_kernel(self.params, self._grad, self._vel, self._sq, self._step, x, y, order,
                                    start, n_batches, B, self.sizes, self.w_off, self.b_off, self.act_codes,
                                    ws.u_off, self.cost.code, opt, self._hyper(cfg, n_train), rng,
                                    ws.A, ws.Z, ws.D, ws.M, ws.row, loss, gw, gb, self.blas_min)
        n_samples = max(0, min(len(order), start + done * B) - start)
        if done:
            gw /= done
            gb /= done
        # Finiteness checked here, outside fast-math code: a float64 sum is NaN/Inf iff some
        # parameter is (or the weights have exploded past ~1e308, which is divergence too).
        finite = bool(np.isfinite(loss[0]) and np.isfinite(self.params.sum(dtype=np.float64)))
        return ChunkStats(done, n_samples, float(loss[0]), gw, gb, finite)

    # ------------------------------------------------------------------ state
    def copy_params(self) -> np.ndarray:
        return self.params.copy()

    def set_params(self, flat) -> None:
        flat = np.asarray(flat)
        if flat.shape != self.params.shape:
            raise SpecError(f"Parameter vector has shape {flat.shape}, this network needs {self.params.shape}.")
        self.params[:] = flat  # in place: the weights/biases views stay valid

    def reset_optimizer_state(self) -> None:
        self._vel[:] = 0
        self._sq[:] = 0
        self._step[:] = 0
