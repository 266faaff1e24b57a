"""All numba kernels: forward pass and the fused mini-batch trainer.

Layout: parameters live in ONE flat buffer
[W0 (n1 x n0, row-major), b0, W1, b1, ...]; ``w_off``/``b_off`` give each layer's offsets.
Per-unit workspaces (activations A, pre-activations Z, deltas D, dropout masks M) are flat
buffers too, with layer l at ``u_off[l]`` holding up to ``cap`` rows of ``sizes[l]`` units;
a layer's (m, n) view is a reshape of a contiguous slice, which allocates nothing.

Two ways to do a layer's matrix products, chosen per layer by the work m * n_in * n_out:
* small layers (the classic 784-30-10 at batch 10): hand-written loops, W row-major so every
  inner loop runs over a contiguous row, in 2-row x 4-sample register tiles so each loaded
  W element is used four times; the gradient, back-propagated delta and optimiser update of
  a pair of W rows are done together while the rows are in L1.
* large layers: ``np.dot`` into preallocated outputs, which numba hands to BLAS (sgemm/dgemm).

Hot loops index arrays in place (``W[j, k]``, ``p[base + k]`` with an unsigned base) rather
than taking row views or slices: every view is an atomic incref/decref pair, and in the 30-wide
layers of 784-30-30-30-30-10 those cost more than the arithmetic. Float32 sigmoid layers use a
vectorised inline exp (_sigmoid_f32); float64 keeps libm's exp.

Kernels are ``nogil`` (the GUI trains on a worker thread) and ``cache=True``. Math loops use
FASTMATH, which allows reassociation (needed to vectorise dot products) but NOT the
no-NaN/no-Inf assumptions, so a diverging network still produces NaN/Inf that network.py
detects with numpy. All kernels use ``error_model="numpy"``: numba's default ("python")
tests every float division for a zero divisor to raise ZeroDivisionError, and that branch
kept the Adam update scalar (3x slower); x/0 now gives Inf/NaN, which the divergence check
catches like any other. Same inputs + same seed give bit-identical results on one machine.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

from .activations import ELU, LEAKY_RELU, LEAKY_SLOPE, LINEAR, RELU, SIGMOID, SOFTMAX, SOFTPLUS, TANH
from .costs import CLIP, CROSS_ENTROPY, LOG_LIKELIHOOD, QUADRATIC

# Safe fast-math: reassociation/contraction for SIMD, but keep NaN/Inf semantics intact.
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

OPT_NONE, OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_ADAM = -1, 0, 1, 2, 3
OPT_CODES = {"sgd": OPT_SGD, "momentum": OPT_MOMENTUM, "nesterov": OPT_NESTEROV, "adam": OPT_ADAM}

# Slots of the ``hyper`` array (network dtype, so the update loops stay in float32/float64).
H_ETA, H_MU, H_B1, H_B2, H_EPS, H_L2N, H_L1N, H_DROP, H_KEEP = range(9)
# Scratch slots after the inputs, written inside the kernel to get dtype-typed scalars.
H_SCALE, H_BC1, H_BC2, H_ONEMU, H_ZERO, H_ONEB1, H_ONEB2, H_ONE = range(9, 17)
N_HYPER = 17

# Layers with m * n_in * n_out at or above this go to BLAS (tuned on a 2-core Zen3: the
# hand-written loops match single-threaded sgemm at 784x100, batch 32, and BLAS wins ~1.8x
# at 784x512, batch 128).
BLAS_MIN_WORK = 1 << 23



@functools.lru_cache(maxsize=None)
def _openblas(package: str = "scipy"):
    """ctypes handle of the OpenBLAS bundled with ``package``, or None.

    scipy's is the one numba's np.dot calls; numpy's serves numpy's own products. None (never an
    exception) when the package, its bundled OpenBLAS or the library cannot be loaded, e.g. one
    linked against a system BLAS, or a frozen build laid out differently.
    """
    import ctypes
    import glob
    import importlib
    import os

    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    libs = os.path.join(os.path.dirname(os.path.dirname(module.__file__)), f"{package}.libs")
    for path in sorted(glob.glob(os.path.join(libs, "libscipy_openblas*.so*"))):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _openblas_fn(package: str, name: str):
    """The library's ``name`` function (the 64-bit-integer builds numpy ships end it in 64_)."""
    lib = _openblas(package)
    if lib is None:
        return None
    return getattr(lib, name, None) or getattr(lib, name + "64_", None)


def set_blas_threads(n: int, package: str = "scipy") -> bool:
    """Limit the BLAS threads used for large layers (False if that BLAS cannot be found).

    Only large layers use BLAS (784-512-512-10 at batch 128; the small nets never do). On a
    2-core Zen3, 2 threads trained that net 1.3-1.7x faster than 1 (wall) at ~1.5x the CPU
    time, with the other core idle; with the cores busy (GUI thread, another process, a
    second BLAS or OpenMP pool spinning) threaded OpenBLAS collapsed, up to 30x slower:
    one thread is the robust choice whenever something else needs a core. ``package="numpy"``
    sets numpy's own OpenBLAS instead (see interim.py).
    """
    fn = _openblas_fn(package, "scipy_openblas_set_num_threads")
    if fn is None:
        return False
    try:
        fn(max(1, int(n)))
    except (OSError, ValueError, TypeError):
        return False
    return True


def get_blas_threads(package: str = "scipy") -> int:
    fn = _openblas_fn(package, "scipy_openblas_get_num_threads")
    return int(fn()) if fn is not None else 0


# --------------------------------------------------------------------------- random numbers
@njit(nogil=True, cache=True, error_model="numpy")
def _dropout(a, mask, n, h, rng):
    """Inverted dropout on a[:n] (mask[:n] gets 0 or 1/(1-p)), advancing rng[0] by n draws.

    splitmix64: draw k is u_k = mix(rng[0] + (k+1) * gamma) >> 11, a uniform 53-bit integer,
    and unit k is dropped iff u_k * 2^-53 < p, tested exactly as u_k < ceil(p * 2^53). Being
    counter-based, the draws carry no dependency from one unit to the next and the loop is
    branch-free.
    """
    p = float(h[H_DROP])
    keep = h[H_KEEP]
    zero = h[H_ZERO]
    thr = np.uint64(math.ceil(p * 9007199254740992.0))
    s0 = rng[0]
    gamma = np.uint64(0x9E3779B97F4A7C15)
    for k in range(n):
        z = s0 + np.uint64(k + 1) * gamma
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        kept = (z >> np.uint64(11)) >= thr
        mask[k] = keep if kept else zero
        a[k] = a[k] * keep if kept else zero
    rng[0] = s0 + np.uint64(n) * gamma


# --------------------------------------------------------------------------- activations
_F32 = np.float32
_LOG2E = _F32(1.44269504088896341)
_LN2_HI = _F32(0.693359375)            # Cody-Waite split of ln 2 (Cephes expf)
_LN2_LO = _F32(-2.12194440e-4)
_EXP_C = (_F32(1.9875691500e-4), _F32(1.3981999507e-3), _F32(8.3334519073e-3), _F32(4.1665795894e-2),
          _F32(1.6666665459e-1), _F32(5.0000001201e-1))
_X_MIN = _F32(-87.0)                   # exp(-87) = 1.6e-38 is still a normal float32


# Not FASTMATH: reassociation could fold the two-part ln 2 subtraction and lose the precision
# it exists for. No reduction here, so nothing needs reassociating to vectorise.
@njit(nogil=True, cache=True, error_model="numpy", fastmath={"nsz", "contract"})
def _sigmoid_f32(z, a, off, n):
    """a[off:off+n] = sigmoid(z[off:off+n]) in float32, branch-free so LLVM vectorises it.

    libm's expf is a scalar call (numba has no SVML here), so exp(-|z|) is computed inline as
    Cephes expf does: n = floor(x / ln 2 + 1/2), r = x - n ln 2 in two parts, a degree-7
    polynomial for exp(r), and 2^n built in the exponent bits; the sigmoid is within 2.5 ulp of
    the exact value. x is clamped at -87 (the sigmoid is then 1.6e-38, not a denormal); NaN
    stays NaN. float64 keeps libm's exp (_activate).
    """
    c0, c1, c2, c3, c4, c5 = _EXP_C
    one = _F32(1.0)
    base = np.uint64(off)  # unsigned: no wraparound check, no view (see _update)
    for k in range(n):
        q = base + np.uint64(k)
        zk = z[q]
        x = max(-abs(zk), _X_MIN)
        t = np.floor(x * _LOG2E + _F32(0.5))
        r = x - t * _LN2_HI
        r = r - t * _LN2_LO
        p = (((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) * (r * r) + r + one
        e = p * np.int32((np.int32(t) + np.int32(127)) << np.int32(23)).view(np.float32)
        s = one / (one + e)
        v = s if zk >= 0 else e * s
        a[q] = zk if zk != zk else v


@njit(nogil=True, cache=True, error_model="numpy")
def _activate(code, Z, A, m, n):
    """A = act(Z) for an (m, n) view pair. Elementwise, O(m n); float32 sigmoid goes to _sigmoid_f32."""
    if code == SIGMOID:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                if z >= 0:
                    A[i, j] = 1.0 / (1.0 + math.exp(-z))
                else:
                    e = math.exp(z)
                    A[i, j] = e / (1.0 + e)
    elif code == TANH:
        for i in range(m):
            for j in range(n):
                A[i, j] = math.tanh(Z[i, j])
    elif code == RELU:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                A[i, j] = z if z > 0 else 0.0
    elif code == LEAKY_RELU:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                A[i, j] = z if z > 0 else LEAKY_SLOPE * z
    elif code == ELU:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                A[i, j] = z if z > 0 else math.expm1(z)
    elif code == SOFTPLUS:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                A[i, j] = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
    elif code == LINEAR:
        for i in range(m):
            for j in range(n):
                A[i, j] = Z[i, j]
    else:  # SOFTMAX, row-wise, max subtracted so exp never overflows
        for i in range(m):
            zmax = Z[i, 0]
            for j in range(1, n):
                if Z[i, j] > zmax:
                    zmax = Z[i, j]
            total = 0.0
            for j in range(n):
                e = math.exp(Z[i, j] - zmax)
                A[i, j] = e
                total += e
            inv = 1.0 / total
            for j in range(n):
                A[i, j] = A[i, j] * inv


@njit(nogil=True, cache=True, error_model="numpy")
def _mul_prime(code, Z, A, D, m, n):
    """D *= act'(Z) for a hidden layer; A holds act(Z) (unmasked), for sigmoid/tanh (no exp)."""
    if code == SIGMOID:
        for i in range(m):
            for j in range(n):
                a = A[i, j]
                D[i, j] = D[i, j] * (a * (1.0 - a))
    elif code == TANH:
        for i in range(m):
            for j in range(n):
                a = A[i, j]
                D[i, j] = D[i, j] * (1.0 - a * a)
    elif code == RELU:
        for i in range(m):
            for j in range(n):
                if not Z[i, j] > 0:
                    D[i, j] = 0.0
    elif code == LEAKY_RELU:
        for i in range(m):
            for j in range(n):
                if not Z[i, j] > 0:
                    D[i, j] = D[i, j] * LEAKY_SLOPE
    elif code == ELU:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                if not z > 0:
                    D[i, j] = D[i, j] * math.exp(z)
    elif code == SOFTPLUS:
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                if z >= 0:
                    s = 1.0 / (1.0 + math.exp(-z))
                else:
                    e = math.exp(z)
                    s = e / (1.0 + e)
                D[i, j] = D[i, j] * s
    # LINEAR: derivative 1, nothing to do. SOFTMAX never occurs in hidden layers.


@njit(nogil=True, cache=True, error_model="numpy")
def _output_delta(cost, code, A, y, rows, r0, D, m, n):
    """D = dC/dz of the output layer for samples y[rows[r0 + i]]; returns the summed cost (float64)."""
    shortcut = ((code == SIGMOID and cost == CROSS_ENTROPY) or (code == SOFTMAX and cost == LOG_LIKELIHOOD)
                or (code == LINEAR and cost == QUADRATIC))
    loss = 0.0
    for i in range(m):
        r = rows[r0 + i]
        # ---- cost, in float64 (1 - 1e-12 is 1 in float32)
        c = 0.0
        for j in range(n):
            a = float(A[i, j])
            t = float(y[r, j])
            if cost == QUADRATIC:
                c += 0.5 * (a - t) * (a - t)
            else:
                ac = min(max(a, CLIP), 1.0 - CLIP)
                if cost == CROSS_ENTROPY:
                    c -= t * math.log(ac) + (1.0 - t) * math.log(1.0 - ac)
                else:
                    c -= t * math.log(ac)
        loss += c
        # ---- delta
        if shortcut:
            for j in range(n):
                D[i, j] = A[i, j] - y[r, j]
            continue
        for j in range(n):  # g = dC/da into D
            a = float(A[i, j])
            t = float(y[r, j])
            if cost == QUADRATIC:
                D[i, j] = a - t
            else:
                ac = min(max(a, CLIP), 1.0 - CLIP)
                if cost == CROSS_ENTROPY:
                    D[i, j] = -t / ac + (1.0 - t) / (1.0 - ac)
                else:
                    D[i, j] = -t / ac
        if code == SOFTMAX:  # Jacobian-vector product: a_j (g_j - sum_k a_k g_k)
            s = 0.0
            for j in range(n):
                s += float(A[i, j]) * float(D[i, j])
            for j in range(n):
                D[i, j] = A[i, j] * (D[i, j] - s)
        elif code == SIGMOID:
            for j in range(n):
                a = A[i, j]
                D[i, j] = D[i, j] * (a * (1.0 - a))
        # LINEAR: D = g already
    return loss


# --------------------------------------------------------------------------- products
@njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)
def _dot_tile(W, j0, j1, Aprev, i, nb, n_in, zero, out):
    """out[r*nb + q] = W[jr] . Aprev[i + q] for the two W rows j0, j1 and nb (4, 2 or 1) samples.

    A 2 x nb register tile: each loaded W element is used nb times and each input element
    twice, so the loop is limited by FMAs rather than loads. Rows are indexed in place
    (W[j0, k], not w0 = W[j0]): every row view costs an atomic incref/decref pair, which in
    the small layers (n_in = 30) took longer than the arithmetic.
    """
    if nb == 4:
        s00 = zero
        s01 = zero
        s02 = zero
        s03 = zero
        s10 = zero
        s11 = zero
        s12 = zero
        s13 = zero
        for k in range(n_in):
            x0 = Aprev[i, k]
            x1 = Aprev[i + 1, k]
            x2 = Aprev[i + 2, k]
            x3 = Aprev[i + 3, k]
            u = W[j0, k]
            v = W[j1, k]
            s00 += x0 * u
            s01 += x1 * u
            s02 += x2 * u
            s03 += x3 * u
            s10 += x0 * v
            s11 += x1 * v
            s12 += x2 * v
            s13 += x3 * v
        out[0] = s00
        out[1] = s01
        out[2] = s02
        out[3] = s03
        out[4] = s10
        out[5] = s11
        out[6] = s12
        out[7] = s13
    elif nb == 2:
        s00 = zero
        s01 = zero
        s10 = zero
        s11 = zero
        for k in range(n_in):
            x0 = Aprev[i, k]
            x1 = Aprev[i + 1, k]
            u = W[j0, k]
            v = W[j1, k]
            s00 += x0 * u
            s01 += x1 * u
            s10 += x0 * v
            s11 += x1 * v
        out[0] = s00
        out[1] = s01
        out[2] = s10
        out[3] = s11
    else:
        s00 = zero
        s10 = zero
        for k in range(n_in):
            x0 = Aprev[i, k]
            s00 += x0 * W[j0, k]
            s10 += x0 * W[j1, k]
        out[0] = s00
        out[1] = s10


@njit(nogil=True, cache=True, error_model="numpy")
def _small_forward(W, b, Aprev, Z, m, n_out, n_in, zero, tile):
    """Z = Aprev @ W.T + b, two W rows at a time (a lone last row is paired with itself).

    Sample tiles are the outer loop so a tile's input rows (4 x n_in) stay in L1 while the W rows
    stream past from L2.
    """
    i = np.int64(0)  # not a literal 0: that would compile a second _dot_tile (see _update)
    while i < m:
        nb = 4 if m - i >= 4 else (2 if m - i >= 2 else 1)
        for j in range(0, n_out, 2):
            j1 = j + 1 if j + 1 < n_out else j
            _dot_tile(W, j, j1, Aprev, i, nb, n_in, zero, tile)
            for q in range(nb):
                Z[i + q, j] = tile[q] + b[j]
                Z[i + q, j1] = tile[nb + q] + b[j1]
        i += nb


@njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)
def _grad_rows(D, Aprev, j, nr, G2, m, n_in):
    """G2[r] = sum_i D[i, j+r] * Aprev[i] for r < nr (1 or 2): unscaled dW rows.

    G2 is a (2, n_in) view of the row scratch, so the two rows are adjacent like rows j, j+1 of W.
    Samples go four at a time so each row element is loaded and stored once per four samples.
    Everything is indexed in place, without row views (see _dot_tile). The first block of four
    samples assigns the rows instead of zeroing them and accumulating.
    """
    r1 = 1 if nr == 2 else 0
    j1 = j + r1
    i = 0
    if m >= 4:
        d0 = D[0, j]
        d1 = D[1, j]
        d2 = D[2, j]
        d3 = D[3, j]
        e0 = D[0, j1]
        e1 = D[1, j1]
        e2 = D[2, j1]
        e3 = D[3, j1]
        for k in range(n_in):
            x0 = Aprev[0, k]
            x1 = Aprev[1, k]
            x2 = Aprev[2, k]
            x3 = Aprev[3, k]
            G2[0, k] = d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3
            G2[r1, k] = e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3
        i = 4
    else:
        for k in range(n_in):
            G2[0, k] = 0
            G2[r1, k] = 0
    while i < m:
        nb = 4 if m - i >= 4 else (2 if m - i >= 2 else 1)
        if nb == 4:
            d0 = D[i, j]
            d1 = D[i + 1, j]
            d2 = D[i + 2, j]
            d3 = D[i + 3, j]
            if nr == 2:
                e0 = D[i, j1]
                e1 = D[i + 1, j1]
                e2 = D[i + 2, j1]
                e3 = D[i + 3, j1]
                for k in range(n_in):
                    x0 = Aprev[i, k]
                    x1 = Aprev[i + 1, k]
                    x2 = Aprev[i + 2, k]
                    x3 = Aprev[i + 3, k]
                    G2[0, k] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3
                    G2[1, k] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3
            else:
                for k in range(n_in):
                    G2[0, k] += d0 * Aprev[i, k] + d1 * Aprev[i + 1, k] + d2 * Aprev[i + 2, k] + d3 * Aprev[i + 3, k]
        elif nb == 2:
            d0 = D[i, j]
            d1 = D[i + 1, j]
            e0 = D[i, j1]
            e1 = D[i + 1, j1]
            if nr == 2:
                for k in range(n_in):
                    x0 = Aprev[i, k]
                    x1 = Aprev[i + 1, k]
                    G2[0, k] += d0 * x0 + d1 * x1
                    G2[1, k] += e0 * x0 + e1 * x1
            else:
                for k in range(n_in):
                    G2[0, k] += d0 * Aprev[i, k] + d1 * Aprev[i + 1, k]
        else:
            d0 = D[i, j]
            e0 = D[i, j1]
            if nr == 2:
                for k in range(n_in):
                    x0 = Aprev[i, k]
                    G2[0, k] += d0 * x0
                    G2[1, k] += e0 * x0
            else:
                for k in range(n_in):
                    G2[0, k] += d0 * Aprev[i, k]
        i += nb


@njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)
def _back_rows(D, W, j, nr, dA, m, n_in):
    """dA[i] += sum_r D[i, j+r] * W[j+r] for r < nr, with W rows read before they are updated."""
    if nr == 2:
        for i in range(m):
            d0 = D[i, j]
            d1 = D[i, j + 1]
            for k in range(n_in):
                dA[i, k] += d0 * W[j, k] + d1 * W[j + 1, k]
    else:
        for i in range(m):
            d0 = D[i, j]
            for k in range(n_in):
                dA[i, k] += d0 * W[j, k]


@njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)
def _update(p, G, lo, n, l2n, l1n, opt, h, vel, sq, grad_out):
    """Apply the optimiser to p[lo:lo+n] with gradient G[:n] * h[H_SCALE].

    ``l2n``/``l1n`` add (l2/n) w + (l1/n) sign(w) (zeros for biases), in a separate pass that
    only runs when a penalty is set, so the common unregularised loop stays short and
    vectorised; that pass overwrites G (a scratch row or the gradient buffer). OPT_NONE stores
    the scaled gradient into grad_out instead. Returns the sum of squares of the unregularised
    gradient.

    Every argument is an array or a runtime scalar: a literal argument (0, True) makes numba
    compile a separate specialisation per call site, which only costs compile time.
    """
    # Index with unsigned integers: with a signed p[lo + k] numba cannot prove the index
    # non-negative, and its negative-index wraparound check stops LLVM from vectorising the
    # loop (4x slower). Slices (P = p[lo:lo + n]) would avoid that too, but each view costs an
    # atomic incref/decref pair, and this runs once per pair of W rows.
    base = np.uint64(lo)
    scale = h[H_SCALE]
    ss = h[H_ZERO]
    eta = h[H_ETA]
    if opt == OPT_NONE:
        for k in range(n):
            g = G[k] * scale
            ss += g * g
            grad_out[base + np.uint64(k)] = g
        return ss
    if l2n != 0 or l1n != 0:
        for k in range(n):
            g = G[k] * scale
            ss += g * g
            w = p[base + np.uint64(k)]
            G[k] = g + l2n * w + l1n * np.sign(w)
        scale = h[H_ONE]
        sum_here = False
    else:
        sum_here = True
    s2 = h[H_ZERO]
    if opt == OPT_SGD:
        for k in range(n):
            q = base + np.uint64(k)
            g = G[k] * scale
            s2 += g * g
            p[q] = p[q] - eta * g
    elif opt == OPT_MOMENTUM:
        mu = h[H_MU]
        for k in range(n):
            q = base + np.uint64(k)
            g = G[k] * scale
            s2 += g * g
            v = mu * vel[q] - eta * g
            vel[q] = v
            p[q] = p[q] + v
    elif opt == OPT_NESTEROV:
        mu = h[H_MU]
        one_mu = h[H_ONEMU]
        for k in range(n):
            q = base + np.uint64(k)
            g = G[k] * scale
            s2 += g * g
            vp = vel[q]
            v = mu * vp - eta * g
            vel[q] = v
            p[q] = p[q] - mu * vp + one_mu * v
    else:  # OPT_ADAM
        b1 = h[H_B1]
        b2 = h[H_B2]
        ob1 = h[H_ONEB1]
        ob2 = h[H_ONEB2]
        bc1 = h[H_BC1]
        bc2 = h[H_BC2]
        eps = h[H_EPS]
        for k in range(n):
            q = base + np.uint64(k)
            g = G[k] * scale
            s2 += g * g
            mk = b1 * vel[q] + ob1 * g
            sk = b2 * sq[q] + ob2 * g * g
            vel[q] = mk
            sq[q] = sk
            p[q] = p[q] - eta * (mk / bc1) / (math.sqrt(sk / bc2) + eps)
    return s2 if sum_here else ss


# --------------------------------------------------------------------------- passes
@njit(nogil=True, cache=True, error_model="numpy")
def _view(buf, off, m, n):
    return buf[off:off + m * n].reshape(m, n)


@njit(nogil=True, cache=True, error_model="numpy")
def _forward(params, A, Z, M, m, sizes, w_off, b_off, acts, u_off, drop, h, rng, blas_min, tile):
    """Forward pass for m rows already in layer 0 of A. Inverted dropout on hidden layers if drop."""
    L = sizes.shape[0] - 1
    for l in range(L):
        n_in = sizes[l]
        n_out = sizes[l + 1]
        W = _view(params, w_off[l], n_out, n_in)
        b = params[b_off[l]:b_off[l] + n_out]
        Ap = _view(A, u_off[l], m, n_in)
        Zl = _view(Z, u_off[l + 1], m, n_out)
        Al = _view(A, u_off[l + 1], m, n_out)
        if m * n_in * n_out >= blas_min:
            np.dot(Ap, W.T, Zl)
            for i in range(m):
                for j in range(n_out):
                    Zl[i, j] += b[j]
        else:
            _small_forward(W, b, Ap, Zl, m, n_out, n_in, h[H_ZERO], tile)
        if acts[l] == SIGMOID and Z.itemsize == 4:  # itemsize is a compile-time constant
            _sigmoid_f32(Z, A, u_off[l + 1], m * n_out)
        else:
            _activate(acts[l], Zl, Al, m, n_out)
        if drop and l < L - 1:
            if acts[l] == SIGMOID or acts[l] == TANH:
                # Backward takes these derivatives from act(z), which dropout is about to mask:
                # keep it in Z (z itself is then not needed), so backward need not redo the exp.
                for i in range(m):
                    for j in range(n_out):
                        Zl[i, j] = Al[i, j]
            _dropout(A[u_off[l + 1]:u_off[l + 1] + m * n_out], M[u_off[l + 1]:u_off[l + 1] + m * n_out],
                     m * n_out, h, rng)


@njit(nogil=True, cache=True, error_model="numpy")
def forward_kernel(params, x, out, sizes, w_off, b_off, acts, u_off, cap, A, Z, M, h, rng, blas_min):
    """out = network(x), in blocks of ``cap`` rows through the workspaces (no dropout)."""
    N = x.shape[0]
    n0 = sizes[0]
    L = sizes.shape[0] - 1
    nL = sizes[L]
    tile = np.zeros_like(h[:8])
    drop = h[H_DROP] > 0  # False (h is zeros here); a runtime value, not a literal: see _update
    for s in range(0, N, cap):
        m = min(cap, N - s)
        A0 = _view(A, u_off[0], m, n0)
        for i in range(m):
            for k in range(n0):
                A0[i, k] = x[s + i, k]
        _forward(params, A, Z, M, m, sizes, w_off, b_off, acts, u_off, drop, h, rng, blas_min, tile)
        AL = _view(A, u_off[L], m, nL)
        for i in range(m):
            for j in range(nL):
                out[s + i, j] = AL[i, j]


@njit(nogil=True, cache=True, error_model="numpy")
def train_kernel(params, grad, vel, sq, step, x, y, order, start, n_batches, batch,
                 sizes, w_off, b_off, acts, u_off, cost, opt, hyper, rng,
                 A, Z, D, M, row, loss_out, gw, gb, blas_min):
    """Train up to n_batches mini-batches of rows order[start + k*batch : ...] in one call.

    Forward, output delta, backward, regularisation and the optimiser update all happen here;
    nothing is allocated per mini-batch. opt == OPT_NONE computes the mean gradient of ONE
    batch into ``grad`` without touching params (used by Network.gradient / gradcheck).
    Adds to loss_out[0] (summed per-sample cost) and gw/gb (per-layer gradient norms summed
    over batches). Returns the number of batches trained.
    """
    L = sizes.shape[0] - 1
    n0 = sizes[0]
    N = order.shape[0]
    h = hyper.copy()
    tile = np.zeros_like(h[:8])
    h[H_ZERO] = 0.0
    h[H_ONE] = 1.0
    h[H_ONEMU] = 1.0 + float(hyper[H_MU])
    h[H_ONEB1] = 1.0 - float(hyper[H_B1])
    h[H_ONEB2] = 1.0 - float(hyper[H_B2])
    drop = float(hyper[H_DROP]) > 0.0
    done = 0
    for k in range(n_batches):
        r0 = start + k * batch
        if r0 >= N:
            break
        m = min(batch, N - r0)
        h[H_SCALE] = 1.0 / m
        if opt == OPT_ADAM:
            step[0] += 1
            t = float(step[0])
            h[H_BC1] = 1.0 - float(hyper[H_B1]) ** t
            h[H_BC2] = 1.0 - float(hyper[H_B2]) ** t
        # ---- gather the batch into layer 0 of A
        A0 = _view(A, u_off[0], m, n0)
        for i in range(m):
            r = order[r0 + i]
            for c in range(n0):
                A0[i, c] = x[r, c]
        _forward(params, A, Z, M, m, sizes, w_off, b_off, acts, u_off, drop, h, rng, blas_min, tile)
        nL = sizes[L]
        Dl = _view(D, u_off[L], m, nL)
        loss_out[0] += _output_delta(cost, acts[L - 1], _view(A, u_off[L], m, nL), y, order, r0, Dl, m, nL)
        # ---- backward, layer by layer, updating each layer once its delta is propagated
        # (every view costs atomic refcount updates, so one layer's dA is the next one's Dl)
        for l in range(L - 1, -1, -1):
            n_in = sizes[l]
            n_out = sizes[l + 1]
            W = _view(params, w_off[l], n_out, n_in)
            Ap = _view(A, u_off[l], m, n_in)
            need_dA = l > 0
            dA = _view(D, u_off[l], m, n_in)
            if m * n_in * n_out >= blas_min:
                G = _view(grad, w_off[l], n_out, n_in)
                if need_dA:
                    np.dot(Dl, W, dA)  # before W changes
                np.dot(Dl.T, Ap, G)
                ss = _update(params, grad[w_off[l]:], w_off[l], n_out * n_in, h[H_L2N], h[H_L1N], opt, h,
                             vel, sq, grad)
                gw[l] += math.sqrt(float(ss))
            else:
                if need_dA:
                    for i in range(m):
                        for c in range(n_in):
                            dA[i, c] = 0.0
                ss_w = 0.0
                G2 = row[:2 * n_in].reshape(2, n_in)  # one view per layer, not per row pair
                for j in range(0, n_out, 2):
                    nr = min(2, n_out - j)
                    _grad_rows(Dl, Ap, j, nr, G2, m, n_in)
                    if need_dA:
                        _back_rows(Dl, W, j, nr, dA, m, n_in)
                    lo = w_off[l] + j * n_in  # rows j, j+1 are adjacent in params
                    ss_w += float(_update(params, row, lo, nr * n_in, h[H_L2N], h[H_L1N], opt, h, vel, sq, grad))
                gw[l] += math.sqrt(ss_w)
            # biases: row = sum over the batch of the delta
            for j in range(n_out):
                row[j] = 0.0
            for i in range(m):
                for j in range(n_out):
                    row[j] += Dl[i, j]
            ss_b = _update(params, row, b_off[l], n_out, h[H_ZERO], h[H_ZERO], opt, h, vel, sq, grad)
            gb[l] += math.sqrt(float(ss_b))
            if need_dA:
                if drop:
                    Mp = _view(M, u_off[l], m, n_in)
                    for i in range(m):
                        for c in range(n_in):
                            dA[i, c] = dA[i, c] * Mp[i, c]
                # With dropout, Ap is masked; sigmoid/tanh layers then left act(z) in Z (_forward).
                Zp = _view(Z, u_off[l], m, n_in)
                code = acts[l - 1]
                _mul_prime(code, Zp, Zp if drop else Ap, dA, m, n_in)
            Dl = dA
        done += 1
        if opt == OPT_NONE:
            break
    return done
