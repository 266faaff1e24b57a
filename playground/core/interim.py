"""A numpy twin of the two kernels, trained on while a first start compiles the real ones.

With an empty numba cache, compiling train_kernel takes 5-10 s of two cores (precompile). For
those seconds the window's networks of that dtype train with these functions instead: they take
the kernels' arguments and update the same state in place (parameters, optimiser state, Adam's
step count, the dropout generator's counter, loss and gradient-norm sums), with the same maths,
so when the compiled kernels have loaded, the run goes on with them mid-epoch and nothing else
notices. They agree with the kernels to float rounding, not bit for bit (the kernels sum in
another order), so a run begun during a first compile is not bit-reproducible; every later run
is. Only the window switches this on (begin/end around its background compile); the CLI and the
tests get the compiled kernels, as before.

Being numpy, each mini-batch costs ~40 small array operations (~0.1 ms): plenty for the toys and
big networks alike (their products go to BLAS), not for MNIST at full speed; that waits for
the kernels.
"""
from __future__ import annotations

import contextlib
import math
import threading

import numpy as np

from . import activations, costs, kernels
from .kernels import (H_B1, H_B2, H_DROP, H_EPS, H_ETA, H_KEEP, H_L1N, H_L2N, H_MU, OPT_ADAM, OPT_MOMENTUM,
                      OPT_NESTEROV, OPT_SGD)

_ACTS = {a.code: a for a in activations.ACTIVATIONS.values()}
_COSTS = {c.code: c for c in costs.COSTS.values()}

_pending: set[str] = set()      # dtypes whose kernels are still compiling elsewhere
_local = threading.local()      # .bypass: this thread loads the compiled kernels


_blas_threads = [0]             # numpy's BLAS threads before the first begin()


def begin(dtype) -> None:
    """Networks of ``dtype`` train here from now on. While any do, numpy's BLAS runs one thread:
    its idle threads spin for a while after each product (the window's decision boundary), and
    the other core is compiling (measured: the kernels were in use ~2 s sooner)."""
    if not _pending:
        _blas_threads[0] = kernels.get_blas_threads("numpy")
        kernels.set_blas_threads(1, "numpy")
    _pending.add(np.dtype(dtype).name)


def end(dtype) -> None:
    was = bool(_pending)
    _pending.discard(np.dtype(dtype).name)
    if was and not _pending and _blas_threads[0] > 0:
        kernels.set_blas_threads(_blas_threads[0], "numpy")


def active(dtype) -> bool:
    """True if networks of ``dtype`` should use this module rather than the compiled kernels."""
    return bool(_pending) and np.dtype(dtype).name in _pending and not getattr(_local, "bypass", False)


@contextlib.contextmanager
def compiled():
    """Within this block, this thread uses the compiled kernels (to load them) whatever begin() said."""
    _local.bypass = True
    try:
        yield
    finally:
        _local.bypass = False


def _layers(params, sizes, w_off, b_off):
    return [(params[w_off[l]:w_off[l] + sizes[l + 1] * sizes[l]].reshape(sizes[l + 1], sizes[l]),
             params[b_off[l]:b_off[l] + sizes[l + 1]]) for l in range(len(sizes) - 1)]


def _dropout_mask(n, h, rng, dtype):
    """kernels._dropout's mask for n units (the same splitmix64 draws), advancing rng[0] as it does."""
    gamma = np.uint64(0x9E3779B97F4A7C15)
    thr = np.uint64(math.ceil(float(h[H_DROP]) * 9007199254740992.0))
    with np.errstate(over="ignore"):
        z = rng[0] + np.arange(1, n + 1, dtype=np.uint64) * gamma
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        rng[0] = rng[0] + np.uint64(n) * gamma
    return np.where((z >> np.uint64(11)) >= thr, h[H_KEEP], 0).astype(dtype)


def _forward(layers, codes, a, drop, h, rng, dtype):
    """Per layer: pre-activation, activation (unmasked) and the input the next layer saw."""
    zs, outs, seen, masks = [], [], [a], []
    L = len(layers)
    for l, (W, b) in enumerate(layers):
        z = seen[-1] @ W.T + b
        act = _ACTS[int(codes[l])].fn(z).astype(dtype, copy=False)
        mask = _dropout_mask(act.size, h, rng, dtype).reshape(act.shape) if drop and l < L - 1 else None
        zs.append(z)
        outs.append(act)
        masks.append(mask)
        seen.append(act if mask is None else act * mask)
    return zs, outs, seen, masks


def _prime(code, z, act):
    """act'(z), from act(z) for sigmoid and tanh as the kernels do."""
    if code == activations.SIGMOID:
        return act * (1 - act)
    if code == activations.TANH:
        return 1 - act * act
    return _ACTS[code].prime(z)


def _update(opt, hyper, t, p, vel, sq, g, weights):
    """The optimiser step on the whole flat parameter vector at once. L2 and L1 (already divided
    by n) act on the weights only: ``weights`` are their slices of the vector; ``g`` is the
    batch's own gradient, so it takes them in place."""
    l2n, l1n = hyper[H_L2N], hyper[H_L1N]
    if l2n != 0 or l1n != 0:
        for w in weights:
            g[w] += l2n * p[w] + l1n * np.sign(p[w])
    eta = hyper[H_ETA]
    if opt == OPT_SGD:
        p -= eta * g
    elif opt == OPT_MOMENTUM:
        vel *= hyper[H_MU]
        vel -= eta * g
        p += vel
    elif opt == OPT_NESTEROV:
        mu = hyper[H_MU]
        vp = vel.copy()
        vel[:] = mu * vp - eta * g
        p[:] = p - mu * vp + g.dtype.type(1.0 + float(mu)) * vel
    elif opt == OPT_ADAM:
        b1, b2 = float(hyper[H_B1]), float(hyper[H_B2])
        one = g.dtype.type
        vel[:] = one(b1) * vel + one(1.0 - b1) * g
        sq[:] = one(b2) * sq + one(1.0 - b2) * g * g
        bc1, bc2 = one(1.0 - b1 ** t), one(1.0 - b2 ** t)
        p -= eta * (vel / bc1) / (np.sqrt(sq / bc2) + hyper[H_EPS])


def train_kernel(params, grad, vel, sq, step, x, y, order, start, n_batches, batch,
                 sizes, w_off, b_off, acts, u_off, cost, opt, hyper, rng,
                 A, Z, D, M, row, loss_out, gw, gb, blas_min):
    """kernels.train_kernel in numpy (same arguments; ``grad`` is scratch, the workspaces go
    unused). A batch's gradient is gathered into the flat ``grad`` and applied in one update (the
    kernel updates layer by layer, but with each layer's delta taken from the weights before their
    update, so the result is the same). Training only: Network.gradient (opt == OPT_NONE) always
    uses the kernel."""
    dtype = params.dtype
    layers = _layers(params, sizes, w_off, b_off)
    L = len(layers)
    out_name = _ACTS[int(acts[L - 1])].name
    c = _COSTS[int(cost)]
    drop = float(hyper[H_DROP]) > 0.0
    segments = np.ravel(np.column_stack([w_off, b_off]))      # W0, b0, W1, b1, ... as in params
    weights = [slice(w_off[l], w_off[l] + W.size) for l, (W, _) in enumerate(layers)]
    N = order.shape[0]
    done = 0
    for k in range(n_batches):
        r0 = start + k * batch
        if r0 >= N:
            break
        rows = order[r0:r0 + batch]
        if opt == OPT_ADAM:
            step[0] += 1
        yb = y[rows]
        zs, outs, seen, masks = _forward(layers, acts, x[rows], drop, hyper, rng, dtype)
        loss_out[0] += float(np.sum(c.fn(outs[-1], yb)))
        delta = np.asarray(c.delta(zs[-1], outs[-1], yb, output=out_name), dtype=dtype)
        for l in range(L - 1, -1, -1):
            W, b = layers[l]
            grad[w_off[l]:w_off[l] + W.size] = (delta.T @ seen[l]).ravel()
            grad[b_off[l]:b_off[l] + b.size] = delta.sum(axis=0)
            if l > 0:
                dA = delta @ W
                if masks[l - 1] is not None:
                    dA *= masks[l - 1]
                delta = (dA * _prime(int(acts[l - 1]), zs[l - 1], outs[l - 1])).astype(dtype, copy=False)
        g = grad * dtype.type(1.0 / len(rows))
        norms = np.sqrt(np.add.reduceat(np.square(g, dtype=np.float64), segments))
        gw += norms[0::2]
        gb += norms[1::2]
        _update(opt, hyper, float(step[0]), params, vel, sq, g, weights)
        done += 1
    return done


def forward_kernel(params, x, out, sizes, w_off, b_off, acts, u_off, cap, A, Z, M, h, rng, blas_min):
    """kernels.forward_kernel in numpy: out = network(x), no dropout."""
    a = x
    for l, (W, b) in enumerate(_layers(params, sizes, w_off, b_off)):
        a = _ACTS[int(acts[l])].fn(a @ W.T + b).astype(params.dtype, copy=False)
    out[:] = a
