"""Training runs on the server: the live-run registry (a cap on concurrent runs, a short
queue), each run's controls (Stop, pause, continue), the per-step feed that paces and thins
steps for streaming, and the outcome message.

Each live run gets an unguessable id known only to the client that started it, so a Stop or
a pause reaches that run and no other. A streamed run waits for its training slot in its own
worker thread, never in the server's request thread pool: fifty waiting streams must not keep
a GET /api/meta waiting.
"""

from __future__ import annotations

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
from gdlab.web.memory import give_back_memory
from gdlab.web.setup import Job
from gdlab.web.thinning import PathThinner

#: At most this many steps of one run go to the page (see `gdlab.web.thinning`).
MAX_STREAMED_STEPS = 5000
#: Seconds between two batches of steps when the run is not paced.
FRAME_SECONDS = 1 / 30


#: Why a run ends when the server stops under it.
SHUTTING_DOWN = "the server is shutting down"


class Busy(GdlabError):
    """Too many runs at once; the client should try again shortly (HTTP 429)."""


class RunControl(threading.Event):
    """The controls of one live run: the stop flag itself (set by Stop, by a client that
    leaves, or when the run ends), pause and continue, and its wait for a training slot."""

    def __init__(self, admit: Callable[[], None] | None = None) -> None:
        super().__init__()
        #: Why the server stopped the run, when it was not the user (see `stop_all`).
        self.reason: str | None = None
        self._admit = admit
        self._admitted = admit is None
        self._running = threading.Event()
        self._running.set()

    def set(self) -> None:
        """Stop the run (a paused run wakes up to stop)."""
        super().set()
        self._running.set()

    def pause(self) -> None:
        """Hold the run after its current step until `resume` or a stop."""
        if not self.is_set():
            self._running.clear()

    def resume(self) -> None:
        """Let a paused run go on."""
        self._running.set()

    @property
    def paused(self) -> bool:
        """Whether the run is held."""
        return not self._running.is_set()

    def hold(self, timeout: float) -> float:
        """Block while paused, at most `timeout` seconds; return the seconds spent held."""
        started = time.monotonic()
        self._running.wait(max(timeout, 0.0))
        return time.monotonic() - started

    def admit(self) -> None:
        """Wait for a training slot (once); raise `Busy` when none frees in time."""
        if not self._admitted and self._admit is not None:
            self._admit()
            self._admitted = True


@dataclass
class LiveRun:
    """A run in progress or queued: its id, its controls and when it asked for a slot."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    stop: RunControl = field(default_factory=RunControl)
    queued_at: float = field(default_factory=time.monotonic)


class RunRegistry:
    """The runs in progress, at most `limit` training at once.

    A newcomer beyond the limit queues up to `wait` seconds (at most `queue` of them wait at
    once); with no wait allowed, or the queue full, it gets `Busy` at once.
    """

    def __init__(self, limit: int, wait: float = 0.0, queue: int | None = None) -> None:
        self.limit = limit
        self.wait = wait
        self.queue = 8 * limit if queue is None else queue
        self._runs: dict[str, LiveRun] = {}
        self._training: set[str] = set()
        self._lock = threading.Lock()
        self._slot_freed = threading.Condition(self._lock)

    def start(self) -> LiveRun:
        """Register a new run without waiting; it trains once `live.stop.admit()` returns.

        Raises `Busy` at once when no slot is free and the run may not queue.
        """
        live = LiveRun()
        live.stop = RunControl(lambda: self.admit(live))
        with self._lock:
            waiting = len(self._runs) - len(self._training)
            if len(self._training) >= self.limit and (self.wait <= 0 or waiting >= self.queue):
                raise Busy(self.busy_message())
            self._runs[live.id] = live
        return live

    def admit(self, live: LiveRun) -> None:
        """Block until `live` holds a slot; `Busy` once its `wait` seconds since queuing are up.

        Blocks the calling thread: call it from a worker thread, never the event loop.
        """
        deadline = live.queued_at + self.wait
        with self._slot_freed:
            while len(self._training) >= self.limit:
                if live.stop.is_set():
                    return  # stopped while queued: it ends after one step, holding no slot
                left = deadline - time.monotonic()
                if left <= 0 or live.id not in self._runs:
                    self._runs.pop(live.id, None)
                    self._slot_freed.notify_all()
                    raise Busy(self.busy_message())
                self._slot_freed.wait(min(left, 0.25))
            self._training.add(live.id)

    def busy_message(self) -> str:
        """The one line a refused run gets."""
        return f"the server is already training {self.limit} runs; try again in a moment"

    def finish(self, live: LiveRun) -> None:
        """Forget a run that has ended (its slot is free again); the last one out gives the
        memory of the burst back to the system."""
        live.stop.set()
        with self._slot_freed:
            self._runs.pop(live.id, None)
            self._training.discard(live.id)
            self._slot_freed.notify_all()
            idle = not self._runs
        if idle:
            give_back_memory()

    @contextmanager
    def running(self) -> Iterator[LiveRun]:
        """Hold a slot for one run while the block runs (waiting for it here)."""
        live = self.start()
        try:
            live.stop.admit()
            yield live
        finally:
            self.finish(live)

    def __len__(self) -> int:
        return len(self._runs)

    def find(self, run_id: str) -> LiveRun | None:
        """The live run with this id, or None."""
        with self._lock:
            return self._runs.get(run_id)

    def stop(self, run_id: str) -> bool:
        """Ask the run with this id to stop after its current step; False if there is none."""
        live = self.find(run_id)
        if live is None:
            return False
        live.stop.set()
        return True

    def stop_all(self, reason: str) -> int:
        """Stop every run in progress or queued after its current step (the server is
        shutting down: each stream then ends with its partial record); return how many."""
        with self._lock:
            runs = list(self._runs.values())
        for live in runs:
            live.stop.reason = reason
            live.stop.set()
        return len(runs)

    def pause(self, run_id: str, paused: bool) -> bool:
        """Hold (or let go on) the run with this id; False if there is none."""
        live = self.find(run_id)
        if live is None:
            return False
        if paused:
            live.stop.pause()
        else:
            live.stop.resume()
        return True


def default_duration(steps: int) -> float:
    """How long a streamed run takes for the eye: 0.02 s a step, between 1 and 6 seconds."""
    return min(6.0, max(1.0, 0.02 * steps))


class StepFeed:
    """The `on_step` callback of a served run: paces, thins, batches; obeys Stop, pause and the
    time limit.

    Steps go to `emit` in batches of ``[step, loss, w…]`` rows, at most `MAX_STREAMED_STEPS`
    of them (`PathThinner` picks which); with a `duration`, step k is held back until
    ``duration·k/steps`` seconds in (time spent paused does not count).
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
        self.thinner = PathThinner(steps, MAX_STREAMED_STEPS)
        self.started = self.paced_from = self.last_flush = time.monotonic()
        self.batch: list[list[Any]] = []
        self.timed_out = False

    def admit(self) -> None:
        """Wait for the run's training slot (if it has to); the clocks start after it."""
        if isinstance(self.stop, RunControl):
            self.stop.admit()
        self.started = self.paced_from = self.last_flush = time.monotonic()

    def __call__(self, step: int, loss: float, w: np.ndarray) -> bool:
        """Record step `step`; return True to stop the run."""
        now = time.monotonic()
        if self.emit is not None:
            row = json_safe([step, float(loss), *(float(v) for v in w)])
            self.batch.extend(self.thinner.offer(step, row, w, float(loss)))
            if now - self.last_flush >= FRAME_SECONDS:
                self.flush()  # at most ~30 batches a second, however fast the steps come
            ahead = self.paced_from + self.duration * step / self.steps - now
            if ahead > 0.002:
                self.stop.wait(ahead)
        self.hold_while_paused()
        if time.monotonic() - self.started > self.time_limit:
            self.timed_out = True
            return True
        return self.stop.is_set()

    def hold_while_paused(self) -> None:
        """A paused run shows its latest step, then waits for continue, a stop or the limit."""
        control = self.stop
        if not isinstance(control, RunControl) or not control.paused:
            return
        self.batch.extend(self.thinner.flush())
        self.flush()
        while control.paused and not control.is_set():
            left = self.started + self.time_limit - time.monotonic()
            if left <= 0:
                return
            self.paced_from += control.hold(left)

    def flush(self) -> None:
        """Send the waiting steps."""
        if self.emit is not None and self.batch:
            self.emit(self.batch)
        self.batch = []
        self.last_flush = time.monotonic()

    def finish(self) -> None:
        """Send what is left, including the last step taken."""
        self.batch.extend(self.thinner.flush())
        self.flush()


def train(job: Job, feed: StepFeed) -> Run:
    """Run `fit` for the job once it has a slot; a diverged run comes back (it is a result,
    not an error).

    The page explains a rate past the bound itself, so the library's warning is not logged.
    """
    feed.admit()
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
    reason = getattr(feed.stop, "reason", None)
    if run.stop_reason == "stopped" and reason is not None:
        return f"stopped after {done} of {planned} steps: {reason}"
    if run.stop_reason == "stopped":
        return f"stopped by you after {done} of {planned} steps"
    if run.stop_reason == "tol":
        return f"stopped early after {done} of {planned} steps: the tolerance was reached"
    if run.stop_reason != "steps":
        return f"stopped after {done} of {planned} steps ({run.stop_reason})"
    return ""
