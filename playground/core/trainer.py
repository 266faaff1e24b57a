"""Trainer: the training loop the GUI worker thread and the CLI both run.

The loop stays in Python and each chunk of mini-batches is one compiled kernel call
(Network.train_chunk), the umap-learn layout: between chunks is where stop/pause are checked,
live setting changes are applied, divergence is caught and a Snapshot is published. The chunk
length adapts so one chunk takes about ``chunk_seconds``, which keeps Stop/Pause responsive and
the plots fed at ~30 Hz without paying Python overhead per mini-batch.

Threading: ``run()`` runs on one worker thread. Other threads may call request_stop(), pause(),
resume(), set_config(), set_throttle(), request_probe() and read ``latest`` (replaced by one attribute
assignment, so readers never see half a snapshot). step_batches()/step_epoch()/evaluate()/
probe_histograms() take the same lock as a chunk, so they are safe while run() is paused.

Epoch counting: ``config.epochs`` is the number of epochs *per run() call*, so pressing Train
again (or continuing a loaded model) trains that many more; ``epoch`` and ``history`` continue.
Early stopping just stops (it does not roll back); ``best_params`` holds the parameters of the
best validation epoch and restore_best() puts them back for anyone who wants them.

Time: ``elapsed`` is wall time spent training (evaluation and throttle waits included, pauses and
idle time between Step presses excluded); ``kernel_seconds`` is the time inside the training
kernel alone. A throttle (set_throttle) caps epochs per second of wall time, for a classroom that
wants to watch a toy problem learn; the loop sleeps on an Event, so stop / pause wake it at once.

Twins: a PaceGate (core/pace.py, ``gate=`` or set_gate) keeps trainers that run at once in step in
samples seen; without one the loop is unchanged. ``order_sha256`` and ``mean_grad_w_norm`` let
anyone check that twins started alike and compare how fast each layer learnt.
"""
from __future__ import annotations

import hashlib
import inspect
import math
import threading
import time
from collections import deque
from dataclasses import replace

import numpy as np

from .errors import DataError, SpecError
from .epochrows import EpochRows
from .monitors import evaluate_split, layer_histograms, split_result, split_sums, weight_norms
from .snapshot import EpochRecord, Snapshot
from .spec import TrainConfig
from .workload import eval_rows, first_chunk_batches, probe_rows

SPLITS = {"training": "train", "train": "train", "validation": "val", "val": "val", "test": "test"}
MAX_CHUNK_BATCHES = 1 << 20
RATE_WINDOW = 1.0            # seconds of training time behind samples_per_second
EXPLODE_FACTOR = 1e6         # weight norm this many times its initial value counts as diverged
EXPLODE_ABSOLUTE = 1e8
SNAPSHOT_MIN_SAMPLES = 200   # see snapshots_per_epoch
GATE_POLL = 0.05             # seconds a gated trainer waits before re-checking (a missed wake costs no more)


class Trainer:
    def __init__(self, network, dataset, config: TrainConfig | None = None, *, chunk_seconds: float = 0.03,
                 probe_size: int = 500, probe_every: float | None = 1.0, on_snapshot=None, on_epoch=None, gate=None):
        config = (config or TrainConfig()).normalised()
        config.validate()
        self.network = network
        self.dataset = dataset
        self.chunk_seconds = float(chunk_seconds)
        self.probe_every = probe_every
        self.on_snapshot = on_snapshot
        self.on_epoch = on_epoch

        spec = network.spec
        n_in, n_out = spec.sizes[0], spec.sizes[-1]
        dtype = np.dtype(network.dtype)
        self._data = {}
        for key in ("train", "val", "test"):
            x = np.asarray(getattr(dataset, f"x_{key}"))
            labels = np.asarray(getattr(dataset, f"y_{key}"), dtype=np.int64)
            if len(x) == 0:
                self._data[key] = None
                continue
            if x.ndim != 2 or x.shape[1] != n_in:
                raise SpecError(f"The network has {n_in} inputs but {dataset.name} samples have "
                                f"{x.shape[1] if x.ndim == 2 else x.shape[1:]} features: make the input layer "
                                f"{x.shape[1] if x.ndim == 2 else 'match the data'}.")
            y = np.ascontiguousarray(dataset.targets(labels, n_out, dtype), dtype=dtype)
            self._data[key] = (np.ascontiguousarray(x, dtype=dtype), y, labels)
        if self._data["train"] is None:
            raise DataError(f"{dataset.name} has no training samples.")
        self._x, self._y, _ = self._data["train"]
        self.n_train = len(self._x)

        self._config = config
        self._pending: dict = {}
        self._cfg_lock = threading.Lock()
        self._lock = threading.RLock()            # held while parameters are read or written
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._wake = threading.Event()             # interrupts a throttle wait (stop, pause, new throttle)
        self._throttle: float | None = None        # max epochs per second of wall time; None: full speed
        # At least this many snapshots per epoch (None: chunks follow chunk_seconds alone). A window
        # sets it: a small net on 5,000 digits trains an epoch in one 30 ms chunk, and its curves
        # were then one point per epoch.
        self.snapshots_per_epoch: int | None = None
        self._pace_next = 0.0                      # perf_counter time the next throttled chunk may start
        self._probe_requested = False

        # Own generators: the shuffle stream depends on nothing but config.seed.
        self._rng = np.random.default_rng(config.seed)
        self._order = self._rng.permutation(self.n_train).astype(np.int64)
        self._pos = 0                              # samples of the current epoch already trained
        self._order_hash = hashlib.sha256()        # the orders of finished epochs
        # A probe is a forward pass; on a huge net fewer rows keep it from stalling every chunk.
        probe_size = probe_rows(spec.sizes, probe_size)
        probe_pick = np.random.default_rng([config.seed, 0x5EED]).permutation(self.n_train)[:probe_size]
        self._probe_x = np.ascontiguousarray(self._x[np.sort(probe_pick)])

        self._chunk_params = _chunk_parameters(network)
        # Mini-batches per chunk, adapted to chunk_seconds; the first guess comes from the network's
        # size, so a huge net's first chunk (which Pause cannot interrupt) is one short batch.
        self._k = first_chunk_batches(spec.sizes, config.batch_size, self.chunk_seconds, MAX_CHUNK_BATCHES)
        self._probe_cost = 0.0                     # seconds the last histogram probe took
        # The end-of-epoch evaluation goes in pieces of about chunk_seconds too (on a huge net it
        # takes tens of seconds), so a Pause lands between pieces: [split index, row, sums...].
        self._eval_rows = eval_rows(spec.sizes, self.chunk_seconds)
        self._evaluating: list | None = None
        self._good = np.empty_like(network.params)  # last parameters known to be finite and sane
        np.copyto(self._good, network.params)
        self._w0 = np.maximum(weight_norms(network), 1.0)

        self.history = EpochRows()      # rows, not objects: a toy at full speed makes 75 a second
        self._epoch = 0
        self._step = 0
        self._samples_seen = 0
        self._clock = (0.0, None)                  # (seconds before, perf_counter start or None): one tuple, so
                                                   # other threads read both halves of it together
        self._kernel_seconds = 0.0
        self._step_clock = False                   # a Step started the clock (so it stops it)
        self._epoch_started = 0.0                  # elapsed when the current epoch began
        self._rate = deque()                       # (end time, kernel seconds, samples) of recent chunks
        self._rate_sums = [0.0, 0]                 # kernel seconds and samples in _rate
        self._last_probe = -math.inf
        self._last_loss = float("nan")
        self._last_grad_w = np.zeros(spec.n_layers)
        self._last_grad_b = np.zeros(spec.n_layers)
        self._grad_w_sum = np.zeros(spec.n_layers)  # per-layer chunk means times their mini-batches
        self._grad_batches = 0
        self._seq = 0
        self._latest: Snapshot | None = None
        # The runner (its "Paused." snapshot) and the stepper may publish at once: numbering, storing
        # and delivering a snapshot happen under this lock, so seq never repeats or goes back.
        self._publish_lock = threading.Lock()

        self._best_metric = -math.inf
        self._since_best = 0
        self._halvings = 0
        self.best_params = None
        self.best_epoch = None

        self._running = False
        self.state = "idle"
        self.diverged_message = ""
        self.message = ""
        self._gate = None
        if gate is not None:
            self.set_gate(gate)

    def __repr__(self):
        return (f"Trainer({self.network.spec.sizes}, {self.dataset.name}, state={self.state}, "
                f"epoch={self._epoch}, step={self._step})")

    # ------------------------------------------------------------------ read-only views
    @property
    def latest(self) -> Snapshot | None:
        return self._latest

    @property
    def config(self) -> TrainConfig:
        with self._cfg_lock:
            return replace(self._config, **self._pending) if self._pending else self._config

    @property
    def epoch(self) -> int:
        """Completed epochs (continues across run() calls and from a loaded model)."""
        return self._epoch

    @property
    def step(self) -> int:
        return self._step

    @property
    def samples_seen(self) -> int:
        return self._samples_seen

    @property
    def elapsed(self) -> float:
        """Wall seconds spent training: evaluation and throttle waits included, pauses excluded."""
        before, since = self._clock
        return before if since is None else before + (time.perf_counter() - since)

    @property
    def kernel_seconds(self) -> float:
        """Seconds inside the training kernel alone (what samples_per_second is measured on)."""
        return self._kernel_seconds

    @property
    def throttle(self) -> float | None:
        """Maximum epochs per second of wall time, or None for full speed."""
        return self._throttle

    @property
    def is_paused(self) -> bool:
        return not self._resume.is_set()

    @property
    def epoch_fraction(self) -> float:
        return self._epoch + self._pos / self.n_train

    @property
    def chunk_batches(self) -> int:
        """Mini-batches per chunk the loop has settled on (adapted to chunk_seconds)."""
        return self._k

    @property
    def last_good_params(self) -> np.ndarray:
        return self._good

    @property
    def gate(self):
        return self._gate

    @property
    def order_sha256(self) -> str:
        """sha256 over every epoch's mini-batch order (int64 little-endian) used so far, the
        current epoch's once it has begun: twins with equal hashes saw the samples in the same order."""
        h = self._order_hash.copy()
        if self._pos > 0 or self._evaluating is not None:
            h.update(self._order.astype("<i8").tobytes())
        return h.hexdigest()

    @property
    def mean_grad_w_norm(self) -> np.ndarray:
        """Per-layer weight-gradient norm averaged over every mini-batch trained (first layer
        first); NaN before the first one."""
        if not self._grad_batches:
            return np.full(len(self._grad_w_sum), np.nan)
        return self._grad_w_sum / self._grad_batches

    # ------------------------------------------------------------------ control (any thread)
    def request_stop(self):
        """Stop at the next chunk boundary; also wakes a paused or throttled loop so it can stop."""
        self._stop.set()
        self._resume.set()
        self._wake.set()

    def pause(self):
        self._resume.clear()
        self._wake.set()

    def set_throttle(self, epochs_per_second: float | None):
        """Train at most this many epochs per second of wall time (None: full speed). Live.

        Only tiny epochs are affected: at 30 epochs/s a 50,000-sample MNIST epoch would need 1.5
        million samples/s, so big datasets run free. Step buttons are never throttled."""
        if epochs_per_second is not None:
            epochs_per_second = float(epochs_per_second)
            if not (math.isfinite(epochs_per_second) and epochs_per_second > 0):
                raise SpecError(f"The speed limit must be a positive number of epochs per second, "
                                f"not {epochs_per_second:g}.")
        self._throttle = epochs_per_second
        self._wake.set()

    def resume(self):
        self._resume.set()

    def set_gate(self, gate):
        """Keep pace with the other twins of ``gate`` (a PaceGate), or run free (None)."""
        old, self._gate = self._gate, gate
        if old is not None and old is not gate:
            old.leave(self)
        if gate is not None:
            gate.join(self)
        self._wake.set()

    def wake(self):
        """Re-check the pace gate now (another twin moved)."""
        self._wake.set()

    def request_probe(self):
        """Attach histograms to the next snapshot."""
        self._probe_requested = True

    def set_config(self, **fields):
        """Change LIVE settings (eta, batch_size, l2, l1, dropout); they apply from the next chunk.

        Checked here, so a bad value raises SpecError in the caller's thread and is never applied.
        """
        frozen = sorted(set(fields) - set(TrainConfig.LIVE))
        if frozen:
            raise SpecError(f"{', '.join(frozen)} cannot change while training; only "
                            f"{', '.join(TrainConfig.LIVE)} can. Stop and start again to change it.")
        with self._cfg_lock:
            trial = replace(self._config, **{**self._pending, **fields})
            trial.validate()
            self._pending.update(fields)

    def _apply_pending(self) -> TrainConfig:
        with self._cfg_lock:
            if self._pending:
                self._config = replace(self._config, **self._pending)
                self._pending.clear()
            return self._config

    def _set_eta(self, eta: float):
        with self._cfg_lock:
            self._config = replace(self._config, eta=eta)
            self._pending.pop("eta", None)

    # ------------------------------------------------------------------ time
    def _clock_start(self) -> bool:
        before, since = self._clock
        if since is not None:
            return False
        self._clock = (before, time.perf_counter())
        return True

    def _clock_stop(self):
        before, since = self._clock
        if since is not None:
            self._clock = (before + (time.perf_counter() - since), None)

    def _throttle_wait(self) -> float:
        """Seconds until the throttle lets the next chunk start (0 when not throttled)."""
        if self._throttle is None:
            return 0.0
        return self._pace_next - time.perf_counter()

    def _throttle_cap(self) -> int | None:
        """Mini-batches per chunk under a throttle: about chunk_seconds of paced training, so a slow
        run still moves in small smooth steps instead of one jump per epoch."""
        if self._throttle is None:
            return None
        per_chunk = self._throttle * self.n_train * self.chunk_seconds
        return max(1, int(per_chunk // self._config.batch_size))

    # ------------------------------------------------------------------ the loop
    def run(self, on_snapshot=None, on_epoch=None) -> str:
        """Train until config.epochs more epochs are done, or stop / divergence / early stopping.

        Returns "done" | "stopped" | "diverged" | "early_stopped".
        """
        if self._running:
            raise RuntimeError("Trainer.run() is already running on another thread.")
        self._running = True
        try:
            return self._run(on_snapshot, on_epoch)
        finally:
            self._running = False
            self._gate_moved()        # its state is final: a finished, stopped or diverged twin holds nobody back

    def _run(self, on_snapshot, on_epoch) -> str:
        if on_snapshot is not None:
            self.on_snapshot = on_snapshot
        if on_epoch is not None:
            self.on_epoch = on_epoch
        epochs = self._apply_pending().epochs
        target = None if epochs is None else self._epoch + epochs
        self.state, self.message = "training", ""
        if self._step == 0:
            # The first chunk may compile the kernel (seconds, once; then cached): say so.
            self._publish(message="Preparing the training kernel…", state="compiling")
        result = None
        self._clock_start()
        self._pace_next = 0.0
        try:
            while result is None:
                if self._stop.is_set():
                    result = "stopped"
                elif not self._resume.is_set():
                    self.state = "paused"
                    self._clock_stop()
                    self._publish(message="Paused.")
                    self._gate_moved()        # a paused twin holds nobody back
                    self._resume.wait()       # request_stop() sets it too, so a paused loop can stop
                    self._clock_start()
                    self.state = "training"
                elif self._evaluating is not None:
                    with self._lock:
                        result = self._evaluate_piece()
                elif target is not None and self._epoch >= target:
                    result = "done"
                elif self._throttle_wait() > 0:
                    # Capped at 0.1 s so a lowered limit never leaves a long old wait behind.
                    self._wake.wait(min(self._throttle_wait(), 0.1))
                    self._wake.clear()        # stop / pause / set_throttle set their flag first
                elif (room := self._gate_room()) is not None and room < 0:
                    self._wake.wait(GATE_POLL)   # too far ahead of the slowest twin
                    self._wake.clear()
                else:
                    with self._lock:
                        result = self._chunk(cap=self._chunk_cap(room), pieces=True)
                    self._gate_moved()
        except BaseException:
            self.state = "stopped"
            raise
        finally:
            self._stop.clear()
            self._clock_stop()
        if result == "diverged":
            return result                     # _diverge() already published
        if result == "early_stopped":
            self.state = "done"
        else:
            self.state = result
            self.message = {"done": f"Finished {epochs} epoch(s).", "stopped": "Stopped."}[result]
        self._publish(message=self.message)
        return result

    def step_batches(self, n: int = 1) -> str:
        """Train exactly ``n`` mini-batches now (the Step button). Returns the state afterwards."""
        n = int(n)
        with self._lock:
            self._begin_step()
            try:
                if self._evaluating is not None and self._finish_evaluation() == "diverged":
                    return "diverged"
                while n > 0:
                    batches_left = -(-(self.n_train - self._pos) // self._apply_pending().batch_size)
                    k = min(n, batches_left)
                    if self._chunk(max_batches=k) == "diverged":
                        return "diverged"
                    n -= k
            finally:
                self._end_step()
        return self.state

    def step_epoch(self) -> str:
        """Train to the end of the current epoch (a fresh one if at a boundary)."""
        with self._lock:
            self._begin_step()
            try:
                epoch = self._epoch
                while self._epoch == epoch and not self._stop.is_set():
                    if self._chunk() == "diverged":
                        return "diverged"
            finally:
                self._end_step()
        return self.state

    def _begin_step(self):
        if self.state in ("diverged", "done", "stopped"):
            self.state = "idle"
        self._step_clock = self._clock_start()   # False inside a running (unpaused) run()

    def _end_step(self):
        if self._step_clock:
            self._clock_stop()
        if not self._running:
            self._stop.clear()   # a paused run() must still see a Stop pressed during the step

    @property
    def lock(self):
        """Held by a chunk while it trains (re-entrant): hold it to read or change the parameters
        between two updates, never half-way through one."""
        return self._lock

    def _gate_room(self) -> int | None:
        gate = self._gate                  # read once: another thread may set_gate(None) meanwhile
        return None if gate is None else gate.headroom(self)

    def _gate_moved(self):
        gate = self._gate
        if gate is not None:
            gate.moved(self)

    def _chunk_cap(self, room: int | None) -> int | None:
        """At most the throttle's batches, and no more than the gate's headroom (one batch at least)."""
        cap = self._throttle_cap()
        if self.snapshots_per_epoch:
            batch = self._config.batch_size
            per_epoch = -(-self.n_train // batch)
            # Each snapshot's loss averages at least SNAPSHOT_MIN_SAMPLES samples: a toy's epoch cut
            # in 25 made curves of 30-sample losses, a band of noise.
            every = max(1, per_epoch // self.snapshots_per_epoch, SNAPSHOT_MIN_SAMPLES // batch)
            cap = every if cap is None else min(cap, every)
        if room is not None:
            paced = max(1, room // self._config.batch_size)
            cap = paced if cap is None else min(cap, paced)
        return cap

    # ------------------------------------------------------------------ one chunk
    def _chunk(self, max_batches: int | None = None, cap: int | None = None, pieces: bool = False):
        """Train one chunk, check it, do epoch-end work, publish. Returns None or a final state.

        ``max_batches``: exactly this many (a Step); ``cap``: at most this many (a throttle);
        ``pieces``: the run loop evaluates an ended epoch piece by piece (else all at once here)."""
        if self._evaluating is not None:           # an epoch whose evaluation a stop interrupted
            return self._finish_evaluation()
        cfg = self._apply_pending()
        net = self.network
        batches_left = -(-(self.n_train - self._pos) // cfg.batch_size)
        k = min(self._k, batches_left) if max_batches is None else min(max_batches, batches_left)
        if cap is not None:
            k = min(k, cap)
        t0 = time.perf_counter()
        stats = self._train_chunk(k, cfg)
        dt = time.perf_counter() - t0
        self._kernel_seconds += dt
        if max_batches is None:
            self._adapt(stats.n_batches or k, dt)
        if self._throttle is not None and stats.n_samples:
            start = max(self._pace_next, t0)
            self._pace_next = start + stats.n_samples / (self._throttle * self.n_train)

        loss = stats.loss_sum / stats.n_samples if stats.n_samples else float("nan")
        norms = weight_norms(net)
        reason = self._divergence_reason(stats, loss, norms)
        if reason:
            return self._diverge(reason, cfg, stats)
        np.copyto(self._good, net.params)   # preallocated: no allocation per chunk

        self._step += stats.n_batches
        self._samples_seen += stats.n_samples
        self._pos += stats.n_samples
        self._last_loss = loss
        self._last_grad_w = np.array(stats.grad_w_norm, dtype=np.float64)
        self._last_grad_b = np.array(stats.grad_b_norm, dtype=np.float64)
        self._grad_w_sum += self._last_grad_w * stats.n_batches
        self._grad_batches += stats.n_batches
        self._rate.append((t0 + dt, dt, stats.n_samples))
        sums = self._rate_sums
        sums[0] += dt
        sums[1] += stats.n_samples
        while len(self._rate) > 1 and t0 + dt - self._rate[0][0] > RATE_WINDOW:
            _, old_dt, old_n = self._rate.popleft()  # a wall-clock window: a slow first (compiling) chunk soon drops out
            sums[0] -= old_dt
            sums[1] -= old_n

        if self._pos >= self.n_train:
            self._evaluating = [0, 0, 0.0, 0, {}]
            return None if pieces else self._finish_evaluation()
        self._publish(norms=norms, eta=cfg.eta)
        return None

    def _finish_evaluation(self):
        result = None
        while self._evaluating is not None:
            result = self._evaluate_piece()
        return result

    def _evaluate_piece(self):
        """Evaluate the next rows of the ended epoch; after the last split, close the epoch."""
        cfg = self._apply_pending()
        ev = self._evaluating
        if ev is None:
            # The run loop saw an evaluation pending and then waited for the lock, while a Step
            # on the other worker thread finished it (found by the key-storm fault test).
            return None
        keys = ("train", "val", "test")
        key = keys[ev[0]]
        data = self._data[key]
        if data is not None and ev[1] < len(data[0]):
            x, y, labels = data
            hi = min(ev[1] + self._eval_rows, len(x))
            cost_sum, correct = split_sums(self.network, x, y, labels, ev[1], hi)
            ev[1], ev[2], ev[3] = hi, ev[2] + cost_sum, ev[3] + correct
            if hi < len(x):
                return None
        ev[4][key] = (None, None) if data is None else split_result(self.network, ev[2], ev[3], len(data[0]),
                                                                     cfg.l2, cfg.l1)
        ev[0], ev[1], ev[2], ev[3] = ev[0] + 1, 0, 0.0, 0
        if ev[0] < len(keys):
            return None
        self._evaluating = None
        record, result = self._end_epoch(cfg, ev[4])
        self._publish(record=record, message=self.message if result else "", eta=cfg.eta)
        if self.on_epoch is not None:
            self.on_epoch(record)
        return result

    def _train_chunk(self, k: int, cfg: TrainConfig):
        kw = {}
        if "rng_state" in self._chunk_params:
            kw["rng_state"] = self.network.rng_state
        return self.network.train_chunk(self._x, self._y, self._order, self._pos, k, cfg, self.n_train, **kw)

    def _adapt(self, k: int, dt: float):
        """Size the next chunk so it takes about chunk_seconds; grow at most 2x per chunk."""
        per_batch = max(dt, 1e-7) / max(k, 1)
        ideal = int(self.chunk_seconds / per_batch)
        self._k = max(1, min(ideal, 2 * self._k, MAX_CHUNK_BATCHES))

    # ------------------------------------------------------------------ divergence
    def _divergence_reason(self, stats, loss: float, norms: np.ndarray) -> str:
        if not stats.finite or not math.isfinite(loss):
            return "loss became NaN" if math.isnan(loss) or not stats.finite else "loss became infinite"
        if not np.all(np.isfinite(norms)):
            return "weights became infinite or NaN"
        limit = np.minimum(self._w0 * EXPLODE_FACTOR, EXPLODE_ABSOLUTE)
        if np.any(norms > limit):
            return f"weights exploded to norm {float(np.max(norms)):.3g}"
        return ""

    def _diverge(self, reason: str, cfg: TrainConfig, stats):
        net = self.network
        if hasattr(net, "set_params"):
            net.set_params(self._good)
        else:
            np.copyto(net.params, self._good)
        net.reset_optimizer_state()
        self._k = 1
        at_step = self._step + max(int(stats.n_batches), 1)
        self.diverged_message = (
            f"Training diverged at epoch {self._epoch + 1}, step {at_step} ({reason}): the learning rate "
            f"{cfg.eta:g} is probably too high; the last good weights were restored. "
            f"Lower the learning rate or reset.")
        self.message = self.diverged_message
        self.state = "diverged"
        self._publish(message=self.diverged_message, eta=cfg.eta)
        return "diverged"

    # ------------------------------------------------------------------ epoch end
    def _end_epoch(self, cfg: TrainConfig, results: dict):
        self._epoch += 1
        self._pos = 0
        self._order_hash.update(self._order.astype("<i8").tobytes())
        self._order = self._rng.permutation(self.n_train).astype(np.int64)   # fresh shuffle every epoch
        now = self.elapsed                     # the epoch's seconds include its evaluation
        seconds, self._epoch_started = now - self._epoch_started, now
        record = EpochRecord(
            epoch=self._epoch,
            training_loss=results["train"][0], training_accuracy=results["train"][1],
            validation_loss=results["val"][0], validation_accuracy=results["val"][1],
            test_loss=results["test"][0], test_accuracy=results["test"][1],
            eta=cfg.eta, seconds=seconds)
        self.history.append(record)
        return record, self._schedule(record, cfg)

    def _schedule(self, record: EpochRecord, cfg: TrainConfig):
        """Plateau halving and early stopping, both on validation accuracy (training accuracy if
        there is no validation split). Returns "early_stopped" or None."""
        watched = "validation"
        metric = record.validation_accuracy
        if metric is None:
            watched, metric = "training", record.training_accuracy
        if metric > self._best_metric:
            self._best_metric, self._since_best = metric, 0
            self.best_epoch = record.epoch
            if cfg.early_stopping is not None:
                if self.best_params is None:
                    self.best_params = np.empty_like(self.network.params)
                np.copyto(self.best_params, self.network.params)
            return None
        self._since_best += 1
        if cfg.early_stopping is not None and self._since_best >= cfg.early_stopping:
            self.message = (f"Early stopping: {watched} accuracy has not improved for {self._since_best} "
                            f"epochs (best {self._best_metric:.2%} at epoch {self.best_epoch}).")
            return "early_stopped"
        if cfg.schedule == "plateau" and self._since_best >= cfg.plateau_epochs:
            # Nielsen ch.3: halve eta at each plateau; finish once it has been halved max_halvings
            # times (7: eta0/128), without training at that final rate.
            self._halvings += 1
            self._since_best = 0
            self._set_eta(cfg.eta / 2)
            if self._halvings >= cfg.max_halvings:
                self.message = (f"Learning-rate schedule finished: {watched} accuracy kept reaching plateaus "
                                f"and eta has been halved {self._halvings} times (to {cfg.eta / 2:g}).")
                return "early_stopped"
        return None

    def restore_best(self) -> bool:
        """Put back the parameters of the best epoch (kept only when early_stopping is set)."""
        if self.best_params is None:
            return False
        with self._lock:
            np.copyto(self.network.params, self.best_params)
            np.copyto(self._good, self.best_params)
            self.network.reset_optimizer_state()
        return True

    # ------------------------------------------------------------------ measurements
    def _evaluate(self, key: str, cfg: TrainConfig):
        data = self._data[key]
        if data is None:
            return None, None
        x, y, labels = data
        return evaluate_split(self.network, x, y, labels, l2=cfg.l2, l1=cfg.l1)

    def evaluate(self, split: str = "validation"):
        """(loss, accuracy) on "training" | "validation" | "test"; (None, None) if that split is empty."""
        key = SPLITS.get(split)
        if key is None:
            raise DataError(f"Unknown split {split!r}: use 'training', 'validation' or 'test'.")
        with self._lock:
            return self._evaluate(key, self.config)

    def probe_histograms(self):
        """Per-layer z / a histograms on the fixed probe batch (dead and saturated unit shares)."""
        with self._lock:
            return layer_histograms(self.network, self._probe_x)

    def samples_per_second(self) -> float:
        """Kernel throughput over the last RATE_WINDOW seconds (evaluation and pauses excluded).

        Under a throttle it is the paced rate instead (samples over the window's wall time), so the
        status bar shows how fast the run really goes, not how fast it could."""
        seconds, samples = self._rate_sums
        if self._throttle is not None and self._rate:
            first_end, first_dt, _ = self._rate[0]
            seconds = max(seconds, self._rate[-1][0] - (first_end - first_dt))
        return samples / seconds if seconds > 0 else 0.0

    # ------------------------------------------------------------------ publishing
    def _publish(self, *, norms=None, record=None, message: str = "", eta: float | None = None,
                 state: str | None = None):
        now = time.perf_counter()
        histograms = None
        # Probing takes at most a tenth of the time, however slow the net.
        due = self.probe_every is not None and now - self._last_probe >= max(self.probe_every, 10 * self._probe_cost)
        if self._probe_requested or due:
            self._probe_requested = False
            self._last_probe = now
            histograms = layer_histograms(self.network, self._probe_x)
            self._probe_cost = time.perf_counter() - now
        with self._publish_lock:
            self._seq += 1
            snap = Snapshot(
                epoch=self._epoch, step=self._step, samples_seen=self._samples_seen,
                epoch_fraction=self.epoch_fraction, train_loss=self._last_loss,
                grad_w_norm=self._last_grad_w, grad_b_norm=self._last_grad_b,
                weight_norm=weight_norms(self.network) if norms is None else norms,
                eta=self.config.eta if eta is None else eta,
                samples_per_second=self.samples_per_second(), elapsed=self.elapsed, state=state or self.state,
                histograms=histograms, epoch_record=record, message=message, seq=self._seq)
            self._latest = snap                # one assignment: readers see the old or the new, never half
            if self.on_snapshot is not None:
                self.on_snapshot(snap)
        return snap

    # ------------------------------------------------------------------ saving / continuing
    def save(self, path, *, format: str = "native", dataset_name: str | None = None, run=None):
        """Save the model; ``run`` (a RunSpec) records the whole run it came from."""
        from .persist import save_model
        from .transform import InputTransform
        with self._lock:
            extras = {"epoch": self._epoch, "step": self._step, "samples_seen": self._samples_seen,
                      "elapsed": self.elapsed, "halvings": self._halvings}
            ds = self.dataset
            return save_model(path, self.network, self.config, self.history,
                              dataset_name or ds.name, format=format, extras=extras,
                              input_transform=InputTransform.from_dataset(ds),
                              class_names=getattr(ds, "class_names", None), run=run)

    @classmethod
    def from_saved(cls, saved, dataset, config: TrainConfig | None = None, **kw) -> "Trainer":
        """Continue training a model from load_model() (or a path): history and counters carry on."""
        from .persist import LoadedModel, load_model
        loaded = saved if isinstance(saved, LoadedModel) else load_model(saved)
        trainer = cls(loaded.network, dataset, config or loaded.config or TrainConfig(), **kw)
        trainer.history = EpochRows(loaded.history or [])
        extras = loaded.extras or {}
        last = trainer.history[-1].epoch if trainer.history else 0
        trainer._epoch = _count(extras.get("epoch"), last)
        trainer._step = _count(extras.get("step"), 0)
        trainer._samples_seen = _count(extras.get("samples_seen"), 0)
        trainer._halvings = _count(extras.get("halvings"), 0)
        elapsed = extras.get("elapsed")
        if isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool) and math.isfinite(elapsed) \
                and elapsed >= 0:
            trainer._clock = (float(elapsed), None)
            trainer._epoch_started = float(elapsed)
        for rec in trainer.history:      # resume the schedule from the best accuracy seen so far
            metric = rec.validation_accuracy if rec.validation_accuracy is not None else rec.training_accuracy
            if metric is not None and metric > trainer._best_metric:
                trainer._best_metric, trainer.best_epoch = metric, rec.epoch
        if trainer.best_epoch is not None:
            trainer._since_best = max(0, trainer._epoch - trainer.best_epoch)
        return trainer


def _count(value, default: int) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _chunk_parameters(network) -> set:
    try:
        return set(inspect.signature(network.train_chunk).parameters)
    except (TypeError, ValueError):
        return set()
