"""The one training loop: every engine and optimizer runs through `train`.

Like the seed program, the loss is recorded *after* each update (``losses[k]`` follows
update k+1); the loss at the start is kept apart as ``initial_loss``. Evaluating the loss
and the gradient together at each new point costs one pass per step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.engines.base import Engine
from gdlab.errors import ConfigError
from gdlab.optimizers import GradientTransformation

Array = NDArray[np.floating]
#: Called after each update with (step, loss, weights); returning True stops the run.
StepCallback = Callable[[int, float, Array], bool | None]

#: The most updates one run may take: the loop keeps every iterate, so more would only
#: exhaust memory (a mistyped --steps must not take the machine down).
MAX_STEPS = 1_000_000

#: A loss that has grown this many steps in a row, above where it started, is diverging.
GROWTH_PATIENCE = 10


@dataclass(frozen=True)
class TrainResult:
    """What the loop produced: final weights, the loss history, the path and why it stopped."""

    weights: Array
    initial_loss: float
    losses: list[float]
    path: Array
    stop_reason: str
    train_seconds: float

    @property
    def diverged(self) -> bool:
        """True when the loop stopped because the loss blew up or kept growing."""
        return self.stop_reason == "diverged"

    @property
    def steps_run(self) -> int:
        """Number of updates applied."""
        return len(self.losses)


def check_steps(steps: int) -> int:
    """Steps must be a whole number from 1 to `MAX_STEPS`."""
    if int(steps) != steps or steps < 1:
        raise ConfigError(f"steps must be a whole number ≥ 1, got {steps}")
    if steps > MAX_STEPS:
        raise ConfigError(f"steps must be at most {MAX_STEPS:,}, got {steps:,}")
    return int(steps)


def train(
    engine: Engine,
    optimizer: GradientTransformation,
    init: ArrayLike,
    steps: int,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Run `steps` updates of `optimizer` from `init`, recording the loss after each.

    Stops early, with ``stop_reason="diverged"``, when the loss turns NaN/inf or has grown
    for `GROWTH_PATIENCE` steps in a row to above its starting value; with
    ``stop_reason="stopped"`` when `on_step` returns True (a user pressed Stop).
    """
    steps = check_steps(steps)
    w = np.array(init, dtype=engine.dtype)
    if w.shape != (engine.n_weights,):
        raise ConfigError(f"expected {engine.n_weights} initial weights, got {w.size}")
    started = time.perf_counter()
    state = optimizer.init(w)
    loss, grad = engine.loss_and_grad(w)
    initial_loss = float(loss)
    losses: list[float] = []
    path = [w.copy()]
    stop_reason = "steps"
    growth = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            updates, state = optimizer.update(grad, state, w)
            w = (w + updates).astype(engine.dtype, copy=False)
            previous = loss
            loss, grad = engine.loss_and_grad(w)
            losses.append(float(loss))
            path.append(w.copy())
            if on_step is not None and on_step(step, float(loss), w):
                stop_reason = "stopped"
                break
            growth = growth + 1 if loss > previous else 0
            if not math.isfinite(loss) or (growth >= GROWTH_PATIENCE and loss > initial_loss):
                stop_reason = "diverged"
                break
    if stop_reason == "steps" and len(losses) > 1 and losses[-1] > max(initial_loss, losses[-2]):
        stop_reason = "diverged"  # still climbing above the start when the steps ran out
    return TrainResult(
        weights=w,
        initial_loss=initial_loss,
        losses=losses,
        path=np.array(path),
        stop_reason=stop_reason,
        train_seconds=time.perf_counter() - started,
    )
