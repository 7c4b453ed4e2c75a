"""Training runs on the server: the live-run registry (Stop, a cap on concurrent runs), the
per-step feed that paces and batches steps for streaming, and the outcome message.

Each live run gets an unguessable id known only to the client that started it, so a Stop
reaches that run and no other.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdlab.errors import GdlabError, LearningRateWarning
from gdlab.training.fit import divergence_message, train_problem
from gdlab.training.record import Run, json_safe
from gdlab.web.setup import Job

#: At most this many steps of one run go to the page (evenly spaced, the last one kept).
MAX_STREAMED_STEPS = 5000
#: Seconds between two batches of steps when the run is not paced.
FRAME_SECONDS = 1 / 30


class Busy(GdlabError):
    """Too many runs at once; the client should try again shortly (HTTP 429)."""


@dataclass
class LiveRun:
    """A run in progress: its id and the flag a Stop request raises."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    stop: threading.Event = field(default_factory=threading.Event)


class RunRegistry:
    """The runs in progress, at most `limit` at once; a newcomer queues up to `wait` seconds."""

    def __init__(self, limit: int, wait: float = 0.0) -> None:
        self.limit = limit
        self.wait = wait
        self._runs: dict[str, LiveRun] = {}
        self._lock = threading.Lock()
        self._slot_freed = threading.Condition(self._lock)

    def start(self) -> LiveRun:
        """Register a new run, waiting for a free slot; raise `Busy` if none frees in time.

        Blocks the calling thread: call it from a worker thread, never the event loop.
        """
        live = LiveRun()
        with self._slot_freed:
            if not self._slot_freed.wait_for(lambda: len(self._runs) < self.limit, self.wait):
                raise Busy(
                    f"the server is already training {self.limit} runs; try again in a moment"
                )
            self._runs[live.id] = live
        return live

    def finish(self, live: LiveRun) -> None:
        """Forget a run that has ended (its slot is free again)."""
        live.stop.set()
        with self._slot_freed:
            self._runs.pop(live.id, None)
            self._slot_freed.notify()

    @contextmanager
    def running(self) -> Iterator[LiveRun]:
        """Hold a slot for one run while the block runs."""
        live = self.start()
        try:
            yield live
        finally:
            self.finish(live)

    def __len__(self) -> int:
        return len(self._runs)

    def stop(self, run_id: str) -> bool:
        """Ask the run with this id to stop after its current step; False if there is none."""
        with self._lock:
            live = self._runs.get(run_id)
        if live is None:
            return False
        live.stop.set()
        return True


def default_duration(steps: int) -> float:
    """How long a streamed run takes for the eye: 0.02 s a step, between 1 and 6 seconds."""
    return min(6.0, max(1.0, 0.02 * steps))


class StepFeed:
    """The `on_step` callback of a served run: paces, batches, obeys Stop and the time limit.

    Steps go to `emit` in batches of ``[step, loss, w…]`` rows, at most `MAX_STREAMED_STEPS`
    of them; with a `duration`, step k is held back until ``duration·k/steps`` seconds in.
    """

    def __init__(
        self,
        steps: int,
        stop: threading.Event,
        time_limit: float,
        emit: Callable[[list[list[Any]]], None] | None = None,
        duration: float = 0.0,
    ) -> None:
        self.steps = steps
        self.stop = stop
        self.time_limit = time_limit
        self.emit = emit
        self.duration = duration
        self.stride = math.ceil(steps / MAX_STREAMED_STEPS)
        self.started = time.monotonic()
        self.last_flush = self.started
        self.batch: list[list[Any]] = []
        self.last_row: list[Any] | None = None
        self.timed_out = False

    def __call__(self, step: int, loss: float, w: np.ndarray) -> bool:
        """Record step `step`; return True to stop the run."""
        now = time.monotonic()
        if self.emit is not None:
            self.last_row = json_safe([step, float(loss), *(float(v) for v in w)])
            if self.is_streamed(step):
                self.batch.append(self.last_row)
            ahead = self.started + self.duration * step / self.steps - now
            if ahead > 0.002:
                self.flush()
                self.stop.wait(ahead)
            elif now - self.last_flush >= FRAME_SECONDS:
                self.flush()
        if now - self.started > self.time_limit:
            self.timed_out = True
            return True
        return self.stop.is_set()

    def is_streamed(self, step: int) -> bool:
        """Whether step `step` goes to the page: every stride-th step and the last planned one."""
        return step % self.stride == 0 or step == self.steps

    def flush(self) -> None:
        """Send the waiting steps."""
        if self.emit is not None and self.batch:
            self.emit(self.batch)
        self.batch = []
        self.last_flush = time.monotonic()

    def finish(self) -> None:
        """Send what is left, including the last step taken when a stop cut the run short."""
        if self.last_row is not None and not self.is_streamed(self.last_row[0]):
            self.batch.append(self.last_row)
        self.flush()


def train(job: Job, feed: StepFeed) -> Run:
    """Run `fit` for the job; a diverged run comes back (it is a result, not an error).

    The page explains a rate past the bound itself, so the library's warning is not logged.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        return train_problem(job.problem, job.config, on_step=feed, raise_on_divergence=False)


def outcome_message(run: Run, feed: StepFeed) -> str:
    """One line on how the run ended when it did not simply finish its steps."""
    done, planned = len(run.losses), run.config.steps
    if run.stop_reason == "diverged":
        return divergence_message(run)
    if feed.timed_out:
        return (
            f"stopped after {feed.time_limit:g} s, the server's time limit for one run "
            f"({done} of {planned} steps done)"
        )
    if run.stop_reason == "stopped":
        return f"stopped by you after {done} of {planned} steps"
    if run.stop_reason == "tol":
        return f"stopped early after {done} of {planned} steps: the tolerance was reached"
    if run.stop_reason != "steps":
        return f"stopped after {done} of {planned} steps ({run.stop_reason})"
    return ""
