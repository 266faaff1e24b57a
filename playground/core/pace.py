"""PaceGate: twins that train at once stay in step in samples seen.

Twin runs share two cores with the window, so left alone the race would be one of CPU luck (and
of batch size: a twin with batch 100 makes far fewer kernel calls per sample). A gate makes it a
race in samples: before each chunk a gated Trainer asks ``headroom()`` and waits while it is more
than ``lead_samples`` ahead of the slowest twin that is still training. The wait is on the
trainer's own wake event, so Stop and Pause act at once, and every trainer that moves, pauses or
finishes wakes the others (a short poll in the trainer covers anything missed).

Only twins that are training and not paused count: one that has finished, stopped, diverged,
paused, not started yet or left the gate holds nobody back, so the gate cannot deadlock. The
slowest twin always has headroom, so someone always moves. A paused twin that resumes is behind;
the others then wait for it, which keeps the curves comparable sample for sample.
"""
from __future__ import annotations

import threading

from .errors import SpecError


class PaceGate:
    def __init__(self, lead_samples: int):
        if isinstance(lead_samples, bool) or not isinstance(lead_samples, int) or lead_samples < 0:
            raise SpecError(f"The pace lead {lead_samples!r} must be a whole number of samples, 0 or more.")
        self.lead_samples = lead_samples
        self._lock = threading.Lock()
        self._members: list = []

    def __repr__(self):
        return f"PaceGate(lead_samples={self.lead_samples}, twins={len(self._members)})"

    @property
    def members(self) -> list:
        with self._lock:
            return list(self._members)

    def join(self, trainer) -> None:
        with self._lock:
            if trainer not in self._members:
                self._members.append(trainer)
        if trainer.gate is not self:
            trainer.set_gate(self)

    def leave(self, trainer) -> None:
        """Take ``trainer`` out of the race; the twins it was holding back go on at once."""
        with self._lock:
            if trainer in self._members:
                self._members.remove(trainer)
        if trainer.gate is self:
            trainer.set_gate(None)
        self.moved(trainer)

    def headroom(self, trainer) -> int | None:
        """Samples ``trainer`` may still train before it is ``lead_samples`` ahead of the slowest
        other twin that is training; negative: wait. None: nobody to keep pace with."""
        others = [t.samples_seen for t in self.members if t is not trainer and _racing(t)]
        if not others:
            return None
        return min(others) + self.lead_samples - trainer.samples_seen

    def moved(self, trainer) -> None:
        """``trainer`` trained, paused or stopped: the others re-check their headroom."""
        for t in self.members:
            if t is not trainer:
                t.wake()


def _racing(trainer) -> bool:
    return trainer.state == "training" and not trainer.is_paused
