"""Which steps of a long run go to the page, so that the drawn path is one GD really took.

A run of at most `budget` steps is sent whole. A longer one keeps, every row exactly as
trained:

- the first steps (where the loss falls fastest and the path bends most),
- steps spaced evenly on a log scale up to the last one (the loss axis is logarithmic),
- every *turning point*: a step after which some weight, or the loss, changes direction,
  once its swing since the last kept step is visible (above `TOLERANCE` of how far that
  weight has moved in the run), while the budget lasts,
- the last step taken.

Keeping every 20th step instead would draw a path GD never took: in a zig-zag, steps of the
same parity all lie on one side of the valley. A step's fate is known one step later (a
turn needs the next move), so `offer` answers for the previous step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Fraction of the budget spent on the first steps, and on the log-spaced ones.
FIRST_SHARE = 0.1
LOG_SHARE = 0.2
#: A turn is kept when its swing is above this fraction of how far the weight has moved.
TOLERANCE = 1e-3


def log_spaced_steps(first: int, last: int, count: int) -> set[int]:
    """About `count` whole steps between `first` and `last`, evenly spaced in log(step).

    >>> sorted(log_spaced_steps(10, 1000, 3))
    [10, 100, 1000]
    """
    if count < 2 or last <= first:
        return {last}
    return set(np.unique(np.geomspace(first, last, count).round().astype(int)).tolist())


class PathThinner:
    """Picks the rows of a run to send: all of them up to `budget` steps, else the rule above.

    >>> thinner = PathThinner(steps=3, budget=10)
    >>> [len(thinner.offer(k, [k], np.array([0.0]), 1.0)) for k in (1, 2, 3)], thinner.flush()
    ([0, 1, 1], [[3]])
    """

    def __init__(self, steps: int, budget: int) -> None:
        self.keep_all = steps <= budget
        self.first = max(1, int(FIRST_SHARE * budget))
        self.grid = log_spaced_steps(self.first, steps, int(LOG_SHARE * budget))
        self.turns_left = budget - self.first - len(self.grid) - 1
        self.pending: tuple[list[Any], np.ndarray, float] | None = None
        self.before: tuple[np.ndarray, float] | None = None  # the step before the pending one
        self.kept: tuple[np.ndarray, float] | None = None  # the last step sent
        self.origin: np.ndarray | None = None  # the weights after step 1
        self.reach = np.zeros(0)  # how far each weight has moved from there

    def offer(self, step: int, row: list[Any], w: np.ndarray, loss: float) -> list[list[Any]]:
        """Take step `step`; return the rows now known to be sent (the previous step's, or none)."""
        w = np.array(w, dtype=float)
        if self.origin is None:
            self.origin, self.reach = w.copy(), np.zeros_like(w)
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                self.reach = np.fmax(self.reach, np.abs(w - self.origin))
        sent: list[list[Any]] = []
        if self.pending is not None:
            pending_row, pending_w, pending_loss = self.pending
            if self.wanted(pending_row[0], pending_w, pending_loss, w, loss):
                sent.append(pending_row)
                self.kept = (pending_w, pending_loss)
            self.before = (pending_w, pending_loss)
        self.pending = (row, w, loss)
        return sent

    def flush(self) -> list[list[Any]]:
        """The step held back (the last one taken so far): it is always sent."""
        if self.pending is None:
            return []
        row, w, loss = self.pending
        self.before = self.kept = (w, loss)
        self.pending = None
        return [row]

    def wanted(
        self, step: int, w: np.ndarray, loss: float, w_next: np.ndarray, next_loss: float
    ) -> bool:
        """Whether step `step` (weights `w`) is sent, knowing the step after it."""
        if self.keep_all or step <= self.first or step in self.grid:
            return True
        if self.turns_left <= 0 or self.before is None or self.kept is None:
            return False
        w_before, loss_before = self.before
        w_kept, loss_kept = self.kept
        with np.errstate(invalid="ignore", over="ignore"):
            turned = (w - w_before) * (w_next - w) < 0
            swing = np.abs(w - w_kept) > TOLERANCE * self.reach
            loss_turned = (loss - loss_before) * (next_loss - loss) < 0
            loss_swing = abs(loss - loss_kept) > TOLERANCE * abs(loss_kept)
        if np.any(turned & swing) or (loss_turned and loss_swing):
            self.turns_left -= 1
            return True
        return False
