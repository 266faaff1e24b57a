"""How much work a network is, estimated from its size before anything is built or trained.

The trainer sizes its first chunk from this (a huge net must not start with a chunk of many
seconds that Pause cannot interrupt), keeps its histogram probe cheap, and the window warns
before building a network too slow to watch. Training does 6 flops per weight per sample
(forward, delta, gradient); evaluation does 2.
"""
from __future__ import annotations

# Sustained training rate assumed before anything has been measured. Deliberately the low end
# of what a 2-core laptop reaches (measured here: ~21 GFLOP/s for 784-30-10 at batch 10, ~7.5 for
# 784-4096x4-10 at batch 10, which streams 200 MB of weights three times per batch): the
# estimate decides how short the first chunk is, and too short only costs a few extra chunks.
ASSUMED_FLOPS = 5e9
PROBE_SECONDS = 0.05          # budget of one histogram probe


def n_weights(sizes) -> int:
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def seconds_per_batch(sizes, batch_size: int, flops: float = ASSUMED_FLOPS) -> float:
    return 6.0 * n_weights(sizes) * max(int(batch_size), 1) / flops


def first_chunk_batches(sizes, batch_size: int, chunk_seconds: float, limit: int) -> int:
    """Mini-batches in the first chunk: about ``chunk_seconds`` of estimated work, at least one."""
    return max(1, min(int(chunk_seconds / seconds_per_batch(sizes, batch_size)), limit))


def probe_rows(sizes, wanted: int) -> int:
    """Rows of the histogram probe so one probe (a forward pass) stays within PROBE_SECONDS;
    at least 50, so the histograms still have a shape."""
    per_row = 2.0 * n_weights(sizes) / ASSUMED_FLOPS
    return max(min(wanted, 50), min(wanted, int(PROBE_SECONDS / per_row)))


def epoch_seconds(sizes, batch_size: int, n_train: int, n_eval: int) -> float:
    """Estimated seconds of one epoch: training n_train samples and evaluating n_eval."""
    w = n_weights(sizes)
    n_batches = -(-max(int(n_train), 0) // max(int(batch_size), 1))
    return n_batches * seconds_per_batch(sizes, batch_size) + 2.0 * w * max(int(n_eval), 0) / ASSUMED_FLOPS


def eval_rows(sizes, seconds: float) -> int:
    """Rows evaluated per piece so one piece is about ``seconds`` of forward work (at least 64)."""
    return max(64, int(seconds * ASSUMED_FLOPS / (2.0 * max(n_weights(sizes), 1))))
