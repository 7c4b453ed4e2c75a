"""Learning-rate schedules: how the rate η_k of update k (counted from 0) changes over a run.

A schedule is written as a short text spec, the same on the command line and in Python:

* ``constant``            η_k = η (the seed's choice; also what no schedule means)
* ``step:EVERY:FACTOR``   η_k = η·FACTOR^⌊k/EVERY⌋, e.g. ``step:100:0.5`` halves every 100
* ``exp:DECAY``           η_k = η·DECAY^k, e.g. ``exp:0.99``
* ``cosine[:FLOOR]``      η_k = η·(FLOOR + (1−FLOOR)·½(1 + cos(πk/K))) over the run's K
  steps, from η down to FLOOR·η (FLOOR defaults to 0)

η is the run's ``lr``; a schedule never makes a rate larger than η.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gdlab.errors import ConfigError

SCHEDULE_GRAMMAR = "constant | step:EVERY:FACTOR | exp:DECAY | cosine[:FLOOR]"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: call it with the update count k to get η_k."""

    spec: str
    lr: float
    kind: str
    every: int = 1
    factor: float = 1.0
    total_steps: int = 1

    def __call__(self, k: int) -> float:
        """The learning rate of update k (k = 0 for the first update).

        >>> Schedule("step:2:0.5", 1.0, "step", every=2, factor=0.5)(5)
        0.25
        """
        if self.kind == "step":
            return self.lr * self.factor ** (k // self.every)
        if self.kind == "exp":
            return self.lr * self.factor**k
        if self.kind == "cosine":
            progress = min(k, self.total_steps) / self.total_steps
            cosine = 0.5 * (1 + math.cos(math.pi * progress))
            return self.lr * (self.factor + (1 - self.factor) * cosine)
        return self.lr


def parse_schedule(spec: str | None, lr: float, total_steps: int) -> Schedule:
    """Read a schedule spec (see the module notes) for base rate `lr` and a run of K steps.

    >>> parse_schedule("exp:0.5", 0.1, 10)(2)
    0.025
    >>> round(parse_schedule("cosine", 0.1, 10)(5), 12)
    0.05
    """
    text = (spec or "constant").strip()
    kind, *args = text.split(":")
    try:
        numbers = [float(arg) for arg in args]
    except ValueError:
        raise ConfigError(
            bad_spec(text, "its parameters must be numbers"), option="schedule"
        ) from None
    if kind == "constant" and not numbers:
        return Schedule(text, lr, "constant")
    if kind == "step" and len(numbers) == 2:
        every, factor = numbers
        if not math.isfinite(every) or every != int(every) or every < 1:
            raise ConfigError(bad_spec(text, "EVERY must be a whole number ≥ 1"), option="schedule")
        check_fraction(text, "FACTOR", factor)
        return Schedule(text, lr, "step", every=int(every), factor=factor)
    if kind == "exp" and len(numbers) == 1:
        check_fraction(text, "DECAY", numbers[0])
        return Schedule(text, lr, "exp", factor=numbers[0])
    if kind == "cosine" and len(numbers) <= 1:
        floor = numbers[0] if numbers else 0.0
        check_fraction(text, "FLOOR", floor, allow_zero=True)
        return Schedule(text, lr, "cosine", factor=floor, total_steps=max(int(total_steps), 1))
    raise ConfigError(bad_spec(text, f"expected one of: {SCHEDULE_GRAMMAR}"), option="schedule")


def check_fraction(spec: str, name: str, value: float, *, allow_zero: bool = False) -> None:
    """A schedule factor must lie in (0, 1] (or [0, 1] where zero makes sense)."""
    low_ok = value >= 0 if allow_zero else value > 0
    if not (math.isfinite(value) and low_ok and value <= 1):
        low = "[0" if allow_zero else "(0"
        raise ConfigError(
            bad_spec(spec, f"{name} must lie in {low}, 1], got {value:g}"), option="schedule"
        )


def bad_spec(spec: str, why: str) -> str:
    """The one-line message for an unreadable schedule spec (``{option}``: the caller's name
    for the schedule option)."""
    return f"{{option}} '{spec}': {why}"
